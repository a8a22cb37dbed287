// estim serve: the page's figures, drawn on canvases (no library): the waveform and the field
// cross-section. Loaded before app.js, whose `state`, `$` and `current` they use when called.
"use strict";

// ---- drawing ------------------------------------------------------------------------------

function canvasContext(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = Math.round(width * Number(canvas.dataset.aspect || canvas.height / canvas.width));
  if (!canvas.dataset.aspect) canvas.dataset.aspect = String(canvas.height / canvas.width);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "12px system-ui, sans-serif";
  return { ctx, width, height };
}

function niceStep(lo, hi, count) {
  const step0 = (hi - lo || 1) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0);
}

function niceTicks(lo, hi, count) {
  const step = niceStep(lo, hi, count);
  const ticks = [];
  // a NaN or infinite range had no step: the loop below never ended (the page froze)
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && step > 0 && Number.isFinite(step))) {
    return ticks;
  }
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

// One label per place: two channels' pads at one place of a section (true
// interferential's above and below the knee, seen across it) were printed on top of each
// other, "caathode+−" (probe of 5 December 2026). Each electrode named by its channel
// where there are several.
function electrodeLabels(electrodes, place, sign) {
  const several = new Set(electrodes.map((e) => e.channel)).size > 1;
  const groups = new Map();
  for (const e of electrodes) {
    const key = Math.round(place(e) * 1e3);
    // a sinusoidal carrier's pad is anode and cathode in turn: "pad +" (an educator read
    // "anode" on an interferential pad as a fixed polarity; probe of 6 December 2026)
    const role = e.alternating ? "pad" : e.role;
    const text = `${several ? `${e.channel} ` : ""}${role} ${sign[e.role] || ""}`.trim();
    if (!groups.has(key)) groups.set(key, { at: place(e), texts: [] });
    if (!groups.get(key).texts.includes(text)) groups.get(key).texts.push(text);
  }
  return [...groups.values()].map((g) => ({ at: g.at, texts: g.texts,
                                           text: g.texts.join(" / ") }));
}

// Along a section the labels of one place stand one above the other: joined on one line,
// two channels' pads at the same places along the back ran into each other's labels,
// "tens cathode −ionto anode +" (6 December 2026).
function alongLabels(sec) {
  return electrodeLabels(sec.electrodes, (e) => (e.start + e.end) / 2 * 100,
                         { anode: "+", cathode: "−" });
}

// Each label text on a row of its own where it would touch another: pads 1 cm apart and
// three channels' labels printed over each other (probe of 6 December 2026). Rows count
// up from the pads; a text is kept between minX and maxX (the colour bar's edge).
function packLabels(ctx, labels, xAt, minX, maxX) {
  const items = [];
  for (const label of labels) {
    for (const text of label.texts) {
      const w = ctx.measureText(text).width;
      const x = Math.min(Math.max(xAt(label.at / 100), minX + w / 2), maxX - w / 2);
      items.push({ x, text, w, row: 0 });
    }
  }
  items.sort((a, b) => a.x - b.x);
  const ends = [];
  for (const it of items) {
    const left = it.x - it.w / 2;
    let row = ends.findIndex((end) => end + 6 <= left);
    if (row < 0) { row = ends.length; ends.push(0); }
    ends[row] = left + it.w;
    it.row = row;
  }
  return items;
}

// lo and hi out to their ticks' own step, so that the extremes have a labelled line
// above and below them (±4 mA pulses had a step of 5 and "0" alone on the axis)
function tickRange(lo, hi, count) {
  const step = niceStep(lo, hi, count);
  if (!(step > 0 && Number.isFinite(step))) return [lo, hi];
  return [Math.floor(lo / step - 1e-9) * step, Math.ceil(hi / step + 1e-9) * step];
}

// a value axis: a grey line at each tick across the plot, its label left of it
function valueAxis(ctx, lo, hi, count, y, from, to) {
  ctx.strokeStyle = "#ccc";
  ctx.fillStyle = "#444";
  ctx.textAlign = "right";
  for (const v of niceTicks(lo, hi, count)) {
    ctx.beginPath(); ctx.moveTo(from, y(v)); ctx.lineTo(to, y(v)); ctx.stroke();
    ctx.fillText(`${+v.toPrecision(3)}`, from - 6, y(v) + 4);
  }
}

function drawWaveform(w) {
  const { ctx, width, height } = canvasContext($("waveform"));
  const caption = $("waveform-caption");
  if (caption) caption.textContent = "";
  if (!w || !w.t_s.length) return;
  // the channel's output in the dial's unit: mA, or V on a voltage-controlled device
  const volts = state.model && state.model.unit === "V";
  const shown = (xs) => xs.map((x) => (volts ? x : x * 1e3));
  // true interferential: one channel's steady carrier (grey) and the two added (blue), over
  // one beat: only the sum beats (1 ms of channel A's carrier showed an educator no
  // interference; browser probe of 6 December 2026)
  const beat = w.beat;
  if (caption && w.caption) caption.textContent = w.caption;
  const t = beat ? beat.t_s : w.t_s;
  const series = beat ? [[shown(beat.one_channel), "#b0b0b0", 1], [shown(beat.both), "#1f4e9c", 1]]
    : [[shown(w.output), "#1f4e9c", 1.5]];
  if (beat && caption) {
    caption.textContent = `Grey: channel ${beat.channel}'s own output, a steady carrier `
      + `(channel ${beat.other}'s is one too, at another frequency). Blue: the two added, as `
      + "where their fields meet in the tissue: the carrier swells and fades at the beat, "
      + "which is what the nerves feel.";
  }
  const i = series.flatMap(([ys]) => ys);
  const span = t[t.length - 1] - t[0];
  const [scale, unit] = span < 2e-3 ? [1e6, "µs"] : span < 2 ? [1e3, "ms"] : [1, "s"];
  // a plain waveform had an empty caption under its heading (screen-reader probe of
  // 7 December 2026): it says what is drawn
  if (caption && !caption.textContent) {
    caption.textContent = `The ${volts ? "voltage" : "current"} the device puts out at this `
      + `setting, over ${+(span * scale).toPrecision(3)} ${unit}.`;
  }
  const left = 56, right = 10, top = 10, bottom = 34;
  let lo = Math.min(0, ...i), hi = Math.max(0, ...i);
  // a scale fixed to the dial's top, as the field's is: rescaled at every setting, the
  // pulses looked the same at 9 and at 91 mA (educator's probe of 7 December 2026)
  const dialTop = state.model ? (volts ? state.model.max_amplitude : state.model.max_amplitude * 1e3)
    : 0;
  const fit = $("waveform-fit");
  const fixed = !(fit && fit.checked) && dialTop > 0 && dialTop >= hi && -dialTop <= lo;
  if (fixed) {
    hi = dialTop;
    lo = lo < 0 ? -dialTop : 0;
    if (caption) {
      caption.textContent += ` Drawn on a scale fixed to the dial's top, `
        + `${+dialTop.toPrecision(3)} ${volts ? "V" : "mA"}.`;
    }
  }
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const pad = fixed ? 0 : (hi - lo) * 0.08;  // the dial's top is the axis's own end
  lo -= pad; hi += pad;
  // out to the ticks' own step, so that the peaks have a labelled line above and below
  // them (±4 mA pulses had a step of 5 and "0" alone on the axis; 6 December 2026)
  [lo, hi] = tickRange(lo, hi, 4);
  const x = (v) => left + (v - t[0]) / (span || 1) * (width - left - right);
  const y = (v) => top + (hi - v) / (hi - lo) * (height - top - bottom);
  valueAxis(ctx, lo, hi, 4, y, left, width - right);
  for (const v of niceTicks(0, span * scale, 5)) {
    const label = `${+v.toPrecision(3)}`;
    const at = x(t[0] + v / scale);
    // a label that would run past the canvas's right edge ends at it ("1000" was cut at
    // 390 px; probe of 5 December 2026)
    ctx.textAlign = at + ctx.measureText(label).width / 2 > width ? "right" : "center";
    ctx.fillText(label, ctx.textAlign === "right" ? width - 1 : at, height - bottom + 16);
  }
  ctx.textAlign = "center";
  // past a ramp the pulses are shown at full strength: from where (a ramp's first pulses,
  // 0.6-2.4 mA at a 60 mA setting, were drawn unexplained; probe of 6 December 2026)
  const start = beat ? beat.start_s : w.start_s;
  const from = start > 0 ? `, from ${+start.toPrecision(3)} s in, at full strength` : "";
  ctx.fillText(`time (${unit})${from}`, (left + width - right) / 2, height - 3);
  ctx.save();
  ctx.translate(12, (top + height - bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(volts ? "voltage (V)" : "current (mA)", 0, 0);
  ctx.restore();
  for (const [ys, colour, line] of series) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = line;
    ctx.beginPath();
    t.forEach((tv, k) => (k ? ctx.lineTo(x(tv), y(ys[k])) : ctx.moveTo(x(tv), y(ys[k]))));
    ctx.stroke();
  }
}

// each pulse's peak over one cycle of a repeating pattern, as a line per pulse: the
// waveform's few pulses hid knead's 2 s swell and rub's 0.5 s dip (educator's probe of
// 7 December 2026)
function drawPattern(p) {
  const canvas = $("pattern");
  const caption = $("pattern-caption");
  if (!canvas || !caption) return;
  canvas.hidden = !p;
  caption.hidden = !p;
  if (!p || !p.t_s.length) { caption.textContent = ""; return; }
  const { ctx, width, height } = canvasContext(canvas);
  const volts = state.model && state.model.unit === "V";
  const unit = volts ? "V" : "mA";
  const peaks = p.peak.map((v) => (volts ? v : v * 1e3));
  const left = 56, right = 10, top = 8, bottom = 30;
  let lo = Math.min(0, ...peaks), hi = Math.max(0, ...peaks);
  if (hi - lo < 1e-9) hi += 1;
  [lo, hi] = tickRange(lo, hi, 3);
  const x = (t) => left + t / p.cycle_s * (width - left - right);
  const y = (v) => top + (hi - v) / (hi - lo) * (height - top - bottom);
  valueAxis(ctx, lo, hi, 3, y, left, width - right);
  ctx.textAlign = "center";
  for (const v of niceTicks(0, p.cycle_s, 4)) {
    const label = `${+v.toPrecision(3)}`;
    const at = x(v);
    ctx.textAlign = at + ctx.measureText(label).width / 2 > width ? "right" : "center";
    ctx.fillText(label, ctx.textAlign === "right" ? width - 1 : at, height - bottom + 14);
  }
  ctx.textAlign = "center";
  ctx.fillText("time in the pattern (s)", (left + width - right) / 2, height - 2);
  ctx.save();
  ctx.translate(12, (top + height - bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`peak (${unit})`, 0, 0);
  ctx.restore();
  ctx.strokeStyle = "#1f4e9c";
  ctx.lineWidth = 1.2;
  p.t_s.forEach((t, k) => {
    ctx.beginPath(); ctx.moveTo(x(t), y(0)); ctx.lineTo(x(t), y(peaks[k])); ctx.stroke();
  });
  const size = peaks.map(Math.abs);
  const gaps = p.t_s.slice(1).map((t, k) => t - p.t_s[k]);
  const rates = gaps.length ? [1 / Math.max(...gaps), 1 / Math.min(...gaps)] : [];
  const fmt = (v) => `${+v.toPrecision(2)}`;
  const rate = rates.length && rates[1] > rates[0] * 1.1
    ? `, at ${fmt(rates[0])} to ${fmt(rates[1])} pulses a second` : "";
  caption.textContent = `Each line is one pulse's peak over one ${+p.cycle_s.toPrecision(3)} s `
    + `cycle of the program's pattern, which repeats: ${p.t_s.length} pulses from `
    + `${fmt(Math.min(...size))} to ${fmt(Math.max(...size))} ${unit}${rate}.`;
}

// magma, five stops: dark (weak field) to light (strong)
const MAGMA = [[0, 0, 4], [81, 18, 124], [183, 55, 121], [252, 137, 97], [252, 253, 191]];
function magma(u) {
  const s = Math.max(0, Math.min(1, u)) * (MAGMA.length - 1);
  const k = Math.min(MAGMA.length - 2, Math.floor(s));
  const f = s - k;
  return MAGMA[k].map((c, j) => Math.round(c + (MAGMA[k + 1][j] - c) * f));
}

function fieldRange(sec) {
  let peak = 0;
  for (const row of sec.field_v_per_m_per_unit) {
    for (const v of row) if (v !== null && v > peak) peak = v;
  }
  // a fixed scale: the whole dial from 1/1000 of the field at its top to the top
  const vmax = peak * state.model.max_amplitude;
  return [vmax / 1e3, vmax, peak];
}

// the field at the dial's setting, or at what the device drives where that is less
function drawSection(dial, driven) {
  const amps = driven === null || driven === undefined ? dial : driven;
  const canvas = $("section");
  const sec = state.section;
  if (!sec) {
    canvasContext(canvas);
    $("section-caption").textContent = "No field solution for this program.";
    return;
  }
  const transverse = sec.kind === "transverse";
  // the plane through a limb's axis (true interferential's four pads on two sides): equal
  // scales, the pads above and below it, where the two currents cross (browser probe of
  // 6 December 2026: on the transverse section the pads above and below fell on one spot)
  const coronal = sec.kind === "coronal";
  canvas.dataset.aspect = transverse ? "0.75" : coronal ? "0.72" : "0.5";
  const { ctx, width, height } = canvasContext(canvas);
  const [vmin, vmax, peak] = fieldRange(sec);
  if (!(vmax > 0 && Number.isFinite(vmax))) {
    // no field anywhere (every channel at 0): its log scale from log10(0) looped for ever
    // and froze the tab (probe of 5 December 2026)
    $("section-caption").textContent = "No field in the tissue: every channel is at 0.";
    return;
  }
  const h = sec.horizontal_m, v = sec.vertical_m, grid = sec.field_v_per_m_per_unit;
  const barWidth = 70;
  const left = 50, right = barWidth + 20, bottom = 36;
  // the labels' rows above the pads set the top margin
  const along = sec.kind === "longitudinal" ? packLabels(
    ctx, alongLabels(sec),
    (m) => left + (m - h[0]) * (width - left - right) / (h[h.length - 1] - h[0]),
    2, width - right + 10) : [];
  const lines = Math.max(1, ...along.map((it) => it.row + 1));
  const top = coronal ? 30 : 26 + 12 * (lines - 1);
  const plotW = width - left - right, plotH = height - top - bottom - (coronal ? 30 : 0);
  // world -> canvas
  let sx, sy, ox, oy;
  if (transverse) {
    const [a, b] = sec.outer_radii_m;
    const s = Math.min(plotW / (2.5 * a), plotH / (2.5 * b));
    sx = s; sy = -s; ox = left + plotW / 2; oy = top + plotH / 2;
  } else if (coronal) {
    const hr = h[h.length - 1] - h[0], vr = v[v.length - 1] - v[0];
    const s = Math.min(plotW / hr, plotH / vr);
    sx = s; sy = -s;
    ox = left + (plotW - hr * s) / 2 - h[0] * s;
    oy = top + (plotH - vr * s) / 2 + v[v.length - 1] * s;
  } else {
    sx = plotW / (h[h.length - 1] - h[0]);
    sy = plotH / (v[v.length - 1] - v[0]);
    ox = left - h[0] * sx; oy = top - v[0] * sy;
    if (sec.kind === "lead") { sy = -sy; oy = top + plotH + v[0] * plotH / (v[v.length - 1] - v[0]); }
  }
  const X = (m) => ox + m * sx, Y = (m) => oy + m * sy;
  // the image: one cell per grid point
  const img = ctx.createImageData(h.length, v.length);
  const logRange = Math.log10(vmax / vmin);
  for (let r = 0; r < v.length; r++) {
    for (let c = 0; c < h.length; c++) {
      const value = grid[r][c];
      const k = 4 * (r * h.length + c);
      if (value === null) continue;
      const field = value * amps;
      const u = field > vmin ? Math.log10(field / vmin) / logRange : 0;
      const [R, G, B] = magma(u);
      img.data[k] = R; img.data[k + 1] = G; img.data[k + 2] = B; img.data[k + 3] = 255;
    }
  }
  const off = document.createElement("canvas");
  off.width = h.length; off.height = v.length;
  off.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  const x0 = X(h[0]), x1 = X(h[h.length - 1]), y0 = Y(v[0]), y1 = Y(v[v.length - 1]);
  ctx.save();
  if (y1 < y0) { ctx.translate(0, y0 + y1); ctx.scale(1, -1); }
  ctx.drawImage(off, Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
  ctx.restore();
  ctx.lineWidth = 1;
  ctx.fillStyle = "#222";
  ctx.textAlign = "center";
  const roleColour = { anode: "#c0392b", cathode: "#1f4e9c" };
  const sign = { anode: "+", cathode: "−" };
  if (transverse) {
    const [a, b] = sec.outer_radii_m;
    for (const layer of sec.layers) {
      if (layer.top_m <= 0) continue;
      ctx.strokeStyle = "rgba(255,255,255,0.7)";
      ctx.beginPath();
      ctx.ellipse(X(0), Y(0), (a - layer.top_m) * sx, (b - layer.top_m) * -sy, 0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.strokeStyle = "#333";
    ctx.beginPath(); ctx.ellipse(X(0), Y(0), a * sx, b * -sy, 0, 0, 2 * Math.PI); ctx.stroke();
    const ring = [...new Set(sec.electrodes.map((e) => e.channel))];
    for (const e of sec.electrodes) {
      ctx.strokeStyle = roleColour[e.role] || "#000";
      ctx.lineWidth = 6;
      ctx.beginPath();
      // each channel on its own ring: one channel's pad hid another's at the same place
      const r = 1.05 + 0.04 * ring.indexOf(e.channel);
      ctx.ellipse(X(0), Y(0), r * a * sx, r * b * -sy, 0, -e.end, -e.start);
      ctx.stroke();
    }
    ctx.fillStyle = "#222";
    for (const label of electrodeLabels(sec.electrodes, (e) => (e.start + e.end) / 2, sign)) {
      const r = 1.18 + 0.04 * (ring.length - 1);
      // one line per channel's text, kept inside the canvas (joined with " / " they ran
      // off its edge and into the colour bar at 400 px; probe of 6 December 2026)
      label.texts.forEach((text, k) => {
        const w = ctx.measureText(text).width;
        const x = Math.min(Math.max(X(r * a * Math.cos(label.at)), 2 + w / 2),
                           width - right + 10 - w / 2);
        const y = Y(r * b * Math.sin(label.at)) + 4 + 12 * (k - (label.texts.length - 1) / 2);
        ctx.fillText(text, x, y);
      });
    }
    ctx.lineWidth = 1;
  } else if (coronal) {
    const [up, down] = sec.outer_radii_m;
    ctx.strokeStyle = "rgba(255,255,255,0.75)";
    ctx.setLineDash([4, 3]);
    for (const layer of sec.layers) {
      if (layer.top_m <= 0) continue;
      for (const at of [up - layer.top_m, -(down - layer.top_m)]) {
        ctx.beginPath(); ctx.moveTo(x0, Y(at)); ctx.lineTo(x1, Y(at)); ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    // the tissues named on the top side where there is room, the innermost at the axis
    // (the knee's bone was an unnamed bright middle; educator probe of 6 December 2026)
    ctx.textAlign = "left";
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    sec.layers.forEach((layer, k) => {
      const inner = k === sec.layers.length - 1;
      const bottomM = Math.min(layer.bottom_m, up);
      if (inner) ctx.fillText(layer.tissue, x0 + 4, Y(0) + 4);
      else if (Y(up - bottomM) - Y(up - layer.top_m) > 13) {
        ctx.fillText(layer.tissue, x0 + 4, Y(up - layer.top_m) + 12);
      }
    });
    ctx.textAlign = "center";
    const high = Y(v[v.length - 1]), low = Y(v[0]);
    for (const e of sec.electrodes) {
      ctx.fillStyle = roleColour[e.role] || "#000";
      ctx.fillRect(X(e.start), e.side > 0 ? high - 9 : low + 2, X(e.end) - X(e.start), 7);
    }
    ctx.fillStyle = "#222";
    for (const sideOf of [1, -1]) {
      const here = sec.electrodes.filter((e) => e.side === sideOf);
      for (const label of electrodeLabels(here, (e) => (e.start + e.end) / 2, sign)) {
        ctx.fillText(label.text, X(label.at), sideOf > 0 ? high - 12 : low + 21);
      }
    }
    // the numbers under the pads' labels, not a gap below (review of 6 December 2026)
    axisTicks(ctx, h, (m) => X(m), low + 30, 1e2);
    ctx.fillText(sec.horizontal_label, left + plotW / 2, low + 60);
    ctx.textAlign = "right";
    // both skins and the axis (niceTicks left "0" alone between ±4.99 cm; review)
    const edge = Math.floor(Math.min(-v[0], v[v.length - 1]) * 1e2);
    for (const d of [-edge, 0, edge]) ctx.fillText(`${d}`, x0 - 5, Y(d / 1e2) + 4);
    // across the limb, which side is which ("across the knee (cm; + medial, − lateral)")
    let across = sec.vertical_label;  // on a phone, the sides alone
    if (ctx.measureText(across).width > low - high + 40) {
      across = across.replace(/^.*\(cm; (.*)\)$/, "$1 (cm)");
    }
    ctx.save(); ctx.translate(12, (high + low) / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center"; ctx.fillText(across, 0, 0); ctx.restore();
    ctx.textAlign = "center";
  } else if (sec.kind === "longitudinal") {
    ctx.strokeStyle = "rgba(255,255,255,0.75)";
    ctx.setLineDash([4, 3]);
    ctx.textAlign = "left";
    for (const layer of sec.layers) {
      if (layer.top_m > 0) {
        ctx.beginPath(); ctx.moveTo(x0, Y(layer.top_m)); ctx.lineTo(x1, Y(layer.top_m));
        ctx.stroke();
      }
      const bottomM = Math.min(layer.bottom_m, v[v.length - 1]);
      if (Y(bottomM) - Y(layer.top_m) > 13) {
        ctx.fillStyle = "rgba(255,255,255,0.9)";
        ctx.fillText(layer.tissue, x0 + 4, Y(layer.top_m) + 13);
      }
    }
    ctx.setLineDash([]);
    ctx.textAlign = "center";
    for (const e of sec.electrodes) {
      ctx.fillStyle = roleColour[e.role] || "#000";
      ctx.fillRect(X(e.start), top - 9, X(e.end) - X(e.start), 7);
    }
    ctx.fillStyle = "#222";
    for (const it of along) ctx.fillText(it.text, it.x, top - 12 - 12 * it.row);
    axisTicks(ctx, h, (m) => X(m), height - bottom, 1e2);
    ctx.fillText(sec.horizontal_label, left + plotW / 2, height - 4);
    ctx.textAlign = "right";
    for (const d of niceTicks(v[0] * 1e3, v[v.length - 1] * 1e3, 4)) {
      ctx.fillText(`${+d.toPrecision(3)}`, left - 5, Y(d / 1e3) + 4);
    }
    // on a phone the label is longer than the plot is high ("depth below the skin (mr";
    // probe of 6 December 2026): the words between the quantity and its unit go first
    let label = sec.vertical_label;
    if (ctx.measureText(label).width > plotH + bottom) {
      label = label.replace(/^(\S+) .*(\([^)]*\))$/, "$1 $2");
    }
    ctx.save(); ctx.translate(12, top + plotH / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center"; ctx.fillText(label, 0, 0); ctx.restore();
  } else {
    ctx.fillStyle = "#999";
    ctx.fillRect(X(-0.65e-3), Y(v[v.length - 1]), 1.3e-3 * sx, Y(v[0]) - Y(v[v.length - 1]));
    for (const e of sec.electrodes) {
      ctx.fillStyle = roleColour[e.role] || "#000";
      ctx.fillRect(X(-0.65e-3), Y(e.end), 1.3e-3 * sx, Y(e.start) - Y(e.end));
    }
    ctx.fillStyle = "#222";
    axisTicks(ctx, h, (m) => X(m), height - bottom, 1e3);
    ctx.fillText(sec.horizontal_label, left + plotW / 2, height - 4);
  }
  // the colour bar, in V/m, fixed over the whole dial
  const bx = width - right + 12, bw = 14;
  for (let k = 0; k < plotH; k++) {
    const [R, G, B] = magma(1 - k / plotH);
    ctx.fillStyle = `rgb(${R},${G},${B})`;
    ctx.fillRect(bx, top + k, bw, 1.5);
  }
  ctx.fillStyle = "#222";
  ctx.textAlign = "left";
  for (let p = Math.ceil(Math.log10(vmin)); p <= Math.floor(Math.log10(vmax)); p++) {
    const yy = top + plotH * (1 - Math.log10(10 ** p / vmin) / logRange);
    ctx.fillText(`${10 ** p >= 1 ? (10 ** p).toLocaleString("en") : 10 ** p}`, bx + bw + 4, yy + 4);
  }
  ctx.fillText("V/m", bx, top - 8);
  // a channel programmed above the first reaches the device maximum before the dial's
  // end; the picture grows on linearly (probe of 5 December 2026): said, not hidden
  const capped = sec.capped_from !== null && sec.capped_from !== undefined
    && amps > sec.capped_from
    ? ` Past ${dialText(sec.capped_from)} channel ${sec.capped_channel} stays at the device `
      + "maximum, and the picture overstates its field." : "";
  const alternating = sec.pads_note ? ` ${sec.pads_note[0].toUpperCase()}`
    + `${sec.pads_note.slice(1)}.` : "";
  const where = amps < dial ? ` (what the device drives with the dial at ${dialText(dial)})`
    : "";
  // true interferential's picture is the beat's amplitude (how much the two fields' sum
  // swells and fades), not the field (educator probe of 6 December 2026)
  const what = sec.beat ? "Beat amplitude in the tissue (how much the two channels' summed "
    + "field swells and fades at the beat; largest where their fields meet)" : "Electric field "
    + "in the tissue";
  $("section-caption").textContent = `${what} at ${dialText(amps)}${where}: `
    + `${+(peak * amps).toPrecision(3)} V/m at the strongest point. The colour scale is fixed `
    + `over the whole dial, so the field grows as the dial turns.${capped}${alternating}`;
}

function axisTicks(ctx, h, X, y, scale) {
  ctx.textAlign = "center";
  for (const value of niceTicks(h[0] * scale, h[h.length - 1] * scale, 6)) {
    ctx.fillText(`${+value.toPrecision(3)}`, X(value / scale), y + 14);
  }
}
