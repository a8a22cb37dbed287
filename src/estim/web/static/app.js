// estim serve: the page's behaviour. Plain JavaScript, no framework, nothing from the network
// but this server's /api. Everything shown that a user or a program file wrote is set with
// textContent (never innerHTML), so it is shown literally.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  modes: [], sites: [], job: null, model: null, section: null, fit: null, dial: null,
  pending: null, dialSeq: 0, polling: null, lastSettings: null, intensityTyped: false,
};

// ---- talking to the API --------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    // the browser's own "Failed to fetch" was all the page said with the server stopped
    // (hostile probe of 7 December 2026)
    // a connection that drops after the server stored a session looks the same, so the
    // page does not claim that nothing was saved (review of 7 December 2026)
    const err = new Error("No answer from the estim server (is estim serve still running?). "
      + "What you typed is kept; if you were saving, look at the list before saving again.");
    err.field = "";
    throw err;
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && data.detail && typeof data.detail === "object" ? data.detail
      : { field: "", message: `the server answered ${response.status}` };
    const err = new Error(detail.message);
    err.field = detail.field;
    // every bad setting under its own box (the server sent them all, the page showed
    // the first; hostile probe of 7 December 2026)
    err.problems = Array.isArray(detail.problems) ? detail.problems : [];
    err.confirm = detail.confirm === true; // a question the person may answer by going on
    err.existing = Array.isArray(detail.existing) ? detail.existing : []; // who has a name
    throw err;
  }
  return data;
}

function clearErrors(scope) {
  for (const p of scope.querySelectorAll(".error")) p.textContent = "";
  for (const i of scope.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

// An error next to its field (or the form's general slot when no field matches).
// each problem under its own field (two bad settings were both shown under the first's
// box, the second not marked; probe of 5 December 2026)
function showError(scope, err, fallback) {
  const each = err.problems && err.problems.length ? err.problems : [err];
  const slots = new Map();
  let first = null;
  for (const p of each) {
    const slot = scope.querySelector(`.error[data-for="${CSS.escape(p.field || "")}"]`)
      || scope.querySelector(`.error[data-for="${fallback}"]`);
    if (slot) slots.set(slot, [...(slots.get(slot) || []), p.message]);
    const input = p.field ? scope.querySelector(`[name="${CSS.escape(p.field)}"]`) : null;
    if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
  }
  for (const [slot, messages] of slots) slot.textContent = messages.join(" ");
  if (first) first.focus();
}

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

// ---- numbers as people read them -------------------------------------------------------

function current(amps) {
  const ma = amps * 1e3;
  if (ma === 0) return "0 mA";
  if (Math.abs(ma) < 0.1) return `${+(ma * 1e3).toPrecision(3)} µA`;
  return `${+ma.toPrecision(3)} mA`;
}

// a dial setting in the dial's unit (A for current control, V for voltage control)
function dialText(value) {
  if (state.model && state.model.unit === "V") return `${+value.toPrecision(3)} V`;
  return current(value);
}

function percent(x) { return `${Math.round(x * 100)} %`; }

// the fibers' kinds, not sensations: "Aδ: sharp pain 47 %" read as 47 % pain beside a
// strong tingling (browser probe of 6 December 2026)
const FIBER_WORDS = {
  abeta: "Aβ touch fibers", adelta: "Aδ sharp-pain fibers", c: "C burning-pain fibers",
  motor: "Aα motor fibers", periosteal: "bone Aδ ache fibers",
};
function fiberName(key) {
  return FIBER_WORDS[key] || key.replace(/_/g, " ");
}

const THRESHOLD_WORDS = {
  sensory: "first felt", strong: "strong but comfortable", motor: "first twitch",
  pain: "too much (pain)", first_felt: "first felt", twitch: "first twitch",
  too_much: "too much (pain)",
};
function thresholdName(key) { return THRESHOLD_WORDS[key] || key.replace(/_/g, " "); }
//: the dial's ticks named under the track, in a word (the full names are said below it)
const TICK_WORDS = { sensory: "felt", strong: "strong", motor: "twitch", pain: "pain" };

// a tick's label under the range input at fraction f of the dial: where the thumb's
// centre is at that value (the track runs from half a thumb in to half a thumb from the
// end)
function tickLabel(key, f) {
  const span = document.createElement("span");
  span.textContent = TICK_WORDS[key] || thresholdName(key);
  span.style.left = `calc(${f} * (100% - 16px) + 8px)`;
  return span;
}

// each label on the first row where it clears the one before it, in pixels as laid out
// (the track is 170 px beside the readout on a laptop, 350 px on a phone): labels of
// thresholds close together go on rows below one another instead of overlapping
function layoutTicks() {
  const labels = $("dial-labels");
  const rights = [];
  for (const span of labels.children) {
    const half = span.offsetWidth / 2;
    const centre = span.offsetLeft;  // the left edge before its -50 % shift
    let row = rights.findIndex((right) => centre - half >= right + 4);
    if (row < 0) row = rights.push(0) - 1;
    rights[row] = centre + half;
    span.style.top = `${row * 1.1}rem`;
  }
  labels.style.height = `${Math.max(rights.length, 1) * 1.1}rem`;
}
if (window.ResizeObserver) new ResizeObserver(() => layoutTicks()).observe($("dial"));

// ---- the device panel ------------------------------------------------------------------

async function loadMenus() {
  [state.modes, state.sites] = await Promise.all([api("GET", "/api/modes"),
                                                  api("GET", "/api/sites")]);
  const groups = { example: "Programs", massage: "Massage-like TENS", custom: "Your own" };
  const select = $("mode");
  for (const [kind, label] of Object.entries(groups)) {
    const group = document.createElement("optgroup");
    group.label = label;
    for (const m of state.modes.filter((x) => x.kind === kind)) {
      group.append(option(m.id, m.label));
    }
    if (group.children.length) select.append(group);
  }
  const preferred = document.body.dataset.defaultMode;
  if (state.modes.some((m) => m.id === preferred)) select.value = preferred;
  for (const s of state.sites) $("site").append(option(s.name, s.words || s.name));
  describeMode();
  fillPlacements();
}

async function describeMode() {
  const mode = state.modes.find((m) => m.id === $("mode").value);
  $("mode-description").textContent = mode ? mode.description : "";
  $("mode-source").textContent = mode && mode.source ? `Source: ${mode.source}` : "";
  const custom = Boolean(mode) && mode.kind === "custom";
  $("custom-field").hidden = !custom;
  // a setting the mode's modality does not have is off, and says so: interferential's Rate
  // offered "e.g. 80 Hz" and then refused any (browser probe of 6 December 2026)
  // the placeholder is the mode's own value, which an empty box keeps, as the help under
  // the boxes says ("e.g. 80 Hz" read in a 2 Hz mode; educator's probe of 7 December
  // 2026); the value alone: "200 us (this mode's)" was cut in a narrow box
  const own = (name, example) => (mode && mode.defaults && mode.defaults[name]
    ? mode.defaults[name] : example);
  for (const [name, example] of [["pulse_width", "e.g. 200 us"], ["frequency", "e.g. 80 Hz"]]) {
    const takes = !mode || !mode.settings || mode.settings.includes(name);
    $(name).disabled = !takes;
    $(name).placeholder = takes ? own(name, example) : "not set in this mode";
  }
  // a lead's contacts have the lead's size (DBS offered "e.g. 5 cm" and refused any;
  // educator's probe of 7 December 2026)
  for (const name of ["pad_width", "pad_length"]) {
    const pads = !mode || mode.pads !== false;
    $(name).disabled = !pads;
    if (!pads) $(name).value = "";  // a size typed for the last mode would be refused
    $(name).placeholder = pads ? own(name, "e.g. 5 cm") : "no pads: the lead's contacts";
  }
  if (custom && !$("custom_toml").value.trim()) { // start from the default example
    const name = document.body.dataset.defaultMode;
    // the box stays empty, to be filled, where the server does not answer (it threw the
    // browser's bare "Failed to fetch"; review of 7 December 2026)
    const response = await fetch(`/api/examples/${encodeURIComponent(name)}.toml`)
      .catch(() => null);
    if (response && response.ok) $("custom_toml").value = await response.text();
  }
}

// ---- what survives a reload: the device's settings and the dial, in this browser alone --
// (a reload brought back the default program at its own setting; educator's probe of
// 7 December 2026; the journal and the calibrations are the server's)
const KEPT = "estim.device";

function keep(update) {
  try {
    const kept = JSON.parse(localStorage.getItem(KEPT) || "{}");
    localStorage.setItem(KEPT, JSON.stringify({ ...kept, ...update }));
  } catch (err) { /* storage off (a private window): nothing is kept */ }
}

function kept() {
  // a plain object or nothing: "null" kept there stopped the page from starting (hostile
  // probe of 7 December 2026)
  try {
    const value = JSON.parse(localStorage.getItem(KEPT) || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch (err) { return {}; }
}

// the settings kept from the last visit into the form, where its mode is still offered
async function restoreSettings() {
  const { settings } = kept();
  if (!settings || !state.modes.some((m) => m.id === settings.mode)) return;
  $("mode").value = settings.mode;
  await describeMode();
  if (settings.site && state.sites.some((s) => s.name === settings.site)) {
    $("site").value = settings.site;
  }
  fillPlacements();
  for (const name of ["anode", "cathode", "pad_width", "pad_length", "pulse_width",
                      "frequency"]) {
    if (settings[name] && !$(name).disabled) $(name).value = settings[name];
  }
  if (settings.custom_toml !== undefined && !$("custom-field").hidden) {
    $("custom_toml").value = settings.custom_toml;
  }
}

// the placements of the chosen site, or of the prepared program's own site
function fillPlacements() {
  const name = $("site").value || (state.model ? state.model.site : "");
  const site = state.sites.find((s) => s.name === name);
  for (const id of ["anode", "cathode"]) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(option("", "the mode's own"));
    for (const p of site ? site.placements : []) {
      select.append(option(p, p.replace(/_/g, " ")));
    }
    select.value = site && site.placements.includes(keep) ? keep : "";
    select.disabled = !site;
  }
}

function settingsForm() {
  const body = { mode: $("mode").value };
  for (const name of ["site", "anode", "cathode", "pad_width", "pad_length", "pulse_width",
                      "frequency"]) {
    const value = $(name).value.trim();
    if (value && !$(name).disabled) body[name] = value;
  }
  if (!$("custom-field").hidden) body.custom_toml = $("custom_toml").value;
  return body;
}

// the settings a mode's program was changed by ("pulse width 300 us, pad width 1 cm"):
// a session on 1 cm pads was kept as plain tens_conventional (probe of 5 December 2026)
function changedSettings(settings, mode) {
  if (!settings || !mode || mode === "custom") return "";
  return ["site", "anode", "cathode", "pad_width", "pad_length", "pulse_width", "frequency"]
    .filter((k) => settings[k])
    .map((k) => `${k.replace(/_/g, " ")} ${settings[k]}`).join(", ");
}

// the program a session is kept under: the mode, and what the settings changed in it
function journalProgram() {
  return state.changedSettings ? `${state.programName} (${state.changedSettings})`
    : state.programName;
}

// what the page says while a program is prepared: what changed since the last one
function recomputing(previous, body) {
  if (!previous || previous.mode !== body.mode) return "Computing this program's thresholds";
  const changed = (k) => (previous[k] || "") !== (body[k] || "");
  if (changed("pulse_width") && changed("frequency")) {
    return "Recomputing for the new pulse width and rate";
  }
  if (changed("pulse_width")) return "Recomputing for the new pulse width";
  if (changed("frequency")) return "Recomputing for the new rate";
  return "Recomputing for the new settings";
}

async function applySettings(event) {
  if (event) event.preventDefault();
  const form = $("settings");
  const body = settingsForm();
  // a field's "change" (on leaving it) and the button's submit send the same settings
  // twice (two 422s for one wrong value: browser probe of 6 December 2026): one request
  const key = JSON.stringify(body);
  if (state.sending === key) return;
  state.sending = key;
  // the latest settings sent are the ones answered: an earlier request's refusal arriving
  // after a later one was sent (a box left, then the next one) showed its error under
  // settings already corrected
  const seq = (state.settingsSeq || 0) + 1;
  state.settingsSeq = seq;
  clearErrors(form);
  const previous = state.lastSettings;
  // the job these settings replace is let go of: the server drops or stops it unless a
  // page (another tab) still asks about it; four quick changes prepared four programs one
  // after another at 100 % CPU (phone probe of 7 December 2026)
  const replaces = state.job && state.job !== state.modelJob ? { replaces: state.job } : {};
  let answer;
  try {
    answer = await api("POST", "/api/programs", { ...body, ...replaces });
  } catch (err) {
    if (seq === state.settingsSeq) showError(form, err, "mode");
    return;
  } finally {
    if (state.sending === key) state.sending = null;
  }
  if (seq !== state.settingsSeq) {
    // an answer that came after newer settings were sent: its job is not this page's, so
    // it is let go of (a slow answer's program was prepared whole with no page asking;
    // hostile probe of 7 December 2026)
    if (answer.job && answer.job !== state.job) {
      api("POST", `/api/jobs/${encodeURIComponent(answer.job)}/let-go`).catch(() => {});
    }
    return;
  }
  state.lastSettings = body;
  // kept now, not once prepared: a reload during a ~50 s preparation brought back the
  // last prepared program's mode and emptied the typed boxes (phone probe of 7 December
  // 2026); the reloaded page asks for them again and rejoins their preparation
  keep({ settings: body });
  answer.mode = body.mode;
  answer.settings = body;
  watchJob(answer, recomputing(previous, body));
}

// While another program is prepared, the Intensity panel still shows the last one: a
// line at its top says whose readings they are, and the readout is dimmed (it read
// Conventional TENS's "painful" under an interferential mode for three minutes; UX review
// of 6 December 2026).
function staleDial(preparing, next, progress) {
  const note = $("dial-stale");
  const shown = state.model && state.model.name ? state.model.name : "";
  const on = preparing && Boolean(shown);
  $("dial-panel").classList.toggle("preparing", on);
  note.hidden = !on;
  if (!on) { note.textContent = ""; return; }
  // the program being prepared (its own name, not the menu's choice, which may have moved on)
  next = next || "the new program";
  // the same program with new settings (a pulse width) is not named twice
  const what = next === shown ? "it is ready with the new settings" : `${next} is ready`;
  // how far it is, here too: on a phone the Device panel's bar is a screen away (browser
  // probe of 6 December 2026)
  const far = Number.isFinite(progress) ? ` (${percent(progress)} prepared)` : "";
  note.textContent = `Still showing ${shown}: the readings below are that program's until `
    + `${what}${far}.`;
}

function watchJob(answer, doing) {
  state.job = answer.job;
  clearInterval(state.polling);
  const started = Date.now();
  const show = (status) => {
    $("job").hidden = false;
    $("job-progress").value = status.progress;
    const words = status.message ? ` (${status.message})` : "";
    // how long so far: a stage of 240 motor fibers held "20 %" for two minutes without a
    // sign of life; and no "last prepared program" before the first (educator's probe of
    // 7 December 2026)
    const secs = Math.round((Date.now() - started) / 1000);
    const took = secs < 5 ? "" : secs < 60 ? `, ${secs} s so far`
      : `, ${Math.floor(secs / 60)} min ${secs % 60} s so far`;
    const meanwhile = state.model ? " The dial keeps working on the last prepared program "
      + "meanwhile." : "";
    $("job-text").textContent = `${doing}: ${percent(status.progress)}${words}${took}.`
      + meanwhile;
    staleDial(true, answer.name, status.progress);
  };
  const done = async (status) => {
    if (state.job !== answer.job) return;
    clearInterval(state.polling);
    if (status.state === "failed" && status.message === "dropped"
        && state.redone !== answer.job && answer.settings) {
      // let go of while this page still wanted it (back from the browser's page cache
      // after its grace): asked for once more, not left failed
      state.redone = answer.job;
      const again = answer.settings;
      api("POST", "/api/programs", again).then((next) => {
        next.mode = again.mode;
        next.settings = again;
        if (state.job === answer.job) watchJob(next, "Preparing this program again");
      }).catch((err) => showError($("settings"), err, "mode"));
      return;
    }
    if (status.state === "failed") {
      $("job-text").textContent = `Could not prepare this program: ${status.error || ""}`;
      staleDial(false);
      return;
    }
    try {
      await useModel(answer.job, answer.mode, answer.settings);
      if (state.job === answer.job) $("job").hidden = true;
    } catch (err) {
      $("job-text").textContent = `Could not show this program: ${err.message}`;
    }
    // a newer program chosen meanwhile keeps its own note (review)
    if (state.job === answer.job) staleDial(false);
  };
  const poll = async () => {
    if (state.job !== answer.job) { clearInterval(state.polling); return; }
    const status = await api("GET", `/api/jobs/${encodeURIComponent(answer.job)}`);
    // another mode chosen while this answer was on its way: it is not this page's any more
    // (a late DBS answer put DBS on the dial under "Conventional TENS"; probe of
    // 6 December 2026)
    if (state.job !== answer.job) return;
    if (status.state === "done" || status.state === "failed") await done(status);
    else show(status);
  };
  if (answer.state === "done") { done(answer); return; }
  show(answer);
  state.polling = setInterval(() => poll().catch((err) => {
    // a job the server does not know (it was restarted, or forgot it): asked for once
    // more, as a dropped one is; it polled a forgotten job for good (hostile probe of
    // 7 December 2026)
    if (err.field === "job" && state.job === answer.job) {
      done({ state: "failed", message: "dropped", error: err.message });
      return;
    }
    $("job-text").textContent = `Could not follow the preparation (retrying): ${err.message}`;
  }), 300);
}

// ---- the dial ---------------------------------------------------------------------------

//: dial positions from 0 to the device maximum
const DIAL_STEPS = 200;

async function useModel(job, mode, settings) {
  const [model, section] = await Promise.all([
    api("GET", `/api/jobs/${encodeURIComponent(job)}/model`),
    api("GET", `/api/jobs/${encodeURIComponent(job)}/section`),
  ]);
  if (state.job !== job) return; // another program was chosen meanwhile
  // the dial stays where it was for the same program with other settings; a current
  // carried into a volts dial opened HVPC at 0 V (probe of 5 December 2026), and into
  // another program of the same unit DBS opened at TENS's 5.81 mA, twice its 3 mA (a
  // stimulator starts a program afresh; browser probe of 6 December 2026)
  const same = state.model && state.model.unit === model.unit
    && state.modelMode === mode && mode !== "custom";
  const last = kept();  // the first program after a reload opens where the dial was left
  const before = same ? dialAmps()
    : !state.model && last.dial && last.dial.mode === mode && last.dial.unit === model.unit
      ? last.dial.amps : null;
  keep({ settings: { ...settings, mode } });
  state.modelMode = mode;
  state.model = model;
  // the job the dial turns: while another program is prepared (state.job), the dial, the
  // fit and the journal keep working on this one (they asked the unprepared job and were
  // refused)
  state.modelJob = job;
  state.modelSettings = settings;
  // the journal names a program by its mode (a custom program by its own name)
  state.programName = mode && mode !== "custom" ? mode : model.name;
  state.changedSettings = changedSettings(settings, mode);
  state.section = section.section;
  if (!$("site").value) fillPlacements();
  // the site, unless the program's name already says it ("Conventional TENS, lower back")
  const site = model.site_words || model.site.replace(/_/g, " ");
  const named = model.name.toLowerCase().includes(site.toLowerCase());
  // said as the model's site: "Iontophoresis, dexamethasone, elbow — forearm" read as a
  // contradiction (browser probe of 6 December 2026)
  // with the settings the readings are for: it read "Conventional TENS" over a 50 µs
  // program whose mode still says 200 µs (educator's probe of 7 December 2026)
  const changes = state.changedSettings ? ` (changed: ${state.changedSettings})` : "";
  $("program-name").textContent = `${model.name}${named ? "" : ` — site: ${site}`}${changes}, `
    + `up to ${dialText(model.max_amplitude)}`
    + (model.dial_words ? ` ${model.dial_words}` : "");
  const warnings = model.warnings || [];
  $("program-warnings").textContent = warnings.join(" ");
  $("program-warnings").hidden = !warnings.length;
  const dial = $("dial");
  dial.max = String(DIAL_STEPS);
  dial.disabled = false;
  // the marks' examples in the dial's unit (HVPC's volts dial showed "e.g. 8 mA": browser
  // probe of 6 December 2026)
  const volts = model.unit === "V";
  $("first_felt").placeholder = volts ? "e.g. 20 V" : "e.g. 8 mA";
  $("strong").placeholder = volts ? "e.g. 60 V" : "e.g. 20 mA";
  $("dial-programmed").disabled = !(model.programmed > 0
                                    && model.programmed <= model.max_amplitude);
  // a new program opens a little above where it is first felt, or at 0 where nothing is
  // felt (DBS, iontophoresis)
  // the model's thresholds marked on the dial's track: where it is felt, twitches, hurts
  // (the dial showed no thresholds; browser probe of 6 December 2026)
  const marks = $("dial-marks");
  marks.replaceChildren();
  const labels = $("dial-labels");
  labels.replaceChildren();
  const said = [];
  // in the order the dial reaches them, and those past its top said to be (microcurrent's
  // pain at 0.56 mA read after its twitch at 1.57 mA, beyond a 1 mA dial, without a word:
  // browser probe of 6 December 2026)
  const keys = ["sensory", "strong", "motor", "pain"]
    .map((key) => [key, (model.thresholds || {})[key]])
    .filter(([, amps]) => Number.isFinite(amps) && amps > 0)
    .sort((a, b) => a[1] - b[1]);
  for (const [key, amps] of keys) {
    const beyond = amps > model.max_amplitude * (1 + 1e-9) ? " (beyond the dial)" : "";
    said.push(`${thresholdName(key)} ${dialText(amps)}${beyond}`);
    if (beyond) continue;
    // a hair above the threshold: the dial snaps to its tick, and the tick's own position
    // read back a float's last bit below it ("strong but comfortable 9.13 mA" said "light
    // tingling"; educator's probe of 7 December 2026)
    const o = option(String(amps / model.max_amplitude * DIAL_STEPS * (1 + 1e-12)),
                     thresholdName(key));
    o.label = `${thresholdName(key)}: ${dialText(amps)}`;
    marks.append(o);
    labels.append(tickLabel(key, amps / model.max_amplitude));
  }
  layoutTicks();
  $("dial-thresholds").textContent = said.length
    ? `The typical person (ticks on the dial): ${said.join(", ")}.` : "";
  const start = before !== null && before <= model.max_amplitude ? before
    : (model.thresholds.sensory || 0) * 1.2;
  setDial(Math.min(start, model.max_amplitude));
  if (state.fit) personOnProgram().catch(() => {});
}

function dialAmps() {
  return Number($("dial").value) / DIAL_STEPS * state.model.max_amplitude;
}

// the value itself, not the nearest of the 200 steps: the programmed setting is reached
function setDial(amps) {
  $("dial").value = String(amps / state.model.max_amplitude * DIAL_STEPS);
  turned();
}

async function turned() {
  if (!state.model) return;
  const amps = dialAmps();
  keep({ dial: { mode: state.modelMode, unit: state.model.unit, amps } });
  $("dial-value").textContent = dialText(amps);
  // a screen reader heard the slider's 0-200 position ("11.6"), not "5.81 mA" (browser
  // probe of 6 December 2026); what it means follows when the answer comes (showDial)
  $("dial").setAttribute("aria-valuetext", dialText(amps));
  // the session's intensity follows the dial until one is typed: filled once at "strong",
  // it kept 12 mA after the dial was set to the fitted 81 mA (browser probe of 6 December
  // 2026); the journal keeps mA alone
  if (!state.intensityTyped && state.model.unit !== "V") {
    $("intensity").value = dialText(amps);
  }
  const seq = ++state.dialSeq;
  const panel = $("dial-panel");
  panel.dataset.busy = "true";
  let data;
  try {
    data = await api("GET", `/api/jobs/${encodeURIComponent(state.modelJob)}/dial?amplitude=`
      + encodeURIComponent(state.model.unit === "V" ? `${amps.toFixed(6)} V`
        : `${(amps * 1e3).toFixed(4)} mA`));
  } catch (err) {
    if (seq === state.dialSeq) {
      delete panel.dataset.busy;
      if (err.field === "job") { forgotten(); return; }
      // the readout is the last answer's, not this setting's: dimmed and said (it showed
      // 5.81 mA's sensation under a dial at 15 mA; hostile probe of 7 December 2026)
      panel.classList.add("unanswered");
      const shown = state.dial ? ` The readings are for ${dialText(state.dial.amplitude)}.`
        : "";
      showError(panel, { field: "amplitude", message: `${err.message}${shown}` },
                "amplitude");
    }
    return;
  }
  if (seq !== state.dialSeq) return; // a later turn already asked
  delete panel.dataset.busy;
  panel.classList.remove("unanswered");
  $("dial-panel").querySelector('.error[data-for="amplitude"]').textContent = "";
  state.dial = data;
  showDial(data);
}

// the server no longer holds the program this dial turns (restarted, or it has prepared
// many others since): the readings of the last setting are cleared and the program is
// prepared again (the dial said "job: got '6573…', expected the id of a program being
// prepared" beside the old setting's sensation and verdict; probe of 6 December 2026)
function forgotten() {
  state.model = null;
  state.dial = null;
  $("dial").disabled = true;
  $("dial-programmed").disabled = true;
  for (const id of ["level", "edge", "people", "sensation-why", "force", "verdict"]) {
    $(id).textContent = "";
  }
  $("sensation").textContent = "The server no longer holds this program (it was "
    + "restarted, or has prepared many others since): it is being prepared again.";
  $("rules").replaceChildren();
  $("recruitment").replaceChildren();
  drawWaveform(null);
  drawPattern(null);
  canvasContext($("section"));
  $("section-caption").textContent = "";
  // the settings the forgotten program was prepared from, not the form as it is now (a
  // site chosen whose pads are not placed yet was refused, and the dial stayed off)
  const again = state.modelSettings || state.lastSettings;
  if (!again) { applySettings(); return; }
  api("POST", "/api/programs", again).then((answer) => {
    answer.mode = again.mode;
    answer.settings = again;
    watchJob(answer, "Preparing this program again");
  }).catch((err) => showError($("settings"), err, "mode"));
}

const LEVEL_WORDS = {
  none: "Nothing felt", sensory: "Felt", strong: "Strong", motor: "Muscle contraction",
  pain: "Painful", unknown: "No sensation model for this program",
};
const REFUSED = "refused";
const VERDICT_WORDS = {
  // a warning is not "within the limits": a d.c. component of 100 % against 1 % warns
  // (browser probe of 6 December 2026)
  pass: "Within the limits", warn: "Warning: a rule below is not met",
  fail: "Exceeds a limit", refused: "Not a setting this program can run",
};

// the next rule up the dial and where it trips; on a dial that passes to its top, the rule
// nearest its limit there
// (one rule, several rules)
const AHEAD_WORDS = { warn: ["warns", "warn"], fail: ["is exceeded", "are exceeded"] };
function aheadText(ahead, here) {
  if (!ahead) return "";
  if (ahead.amplitude !== null && ahead.amplitude !== undefined) {
    // a rule that trips at any output reads "above 0", not the bisection's 0.00381 V
    const from = ahead.above_zero ? "above 0" : `from ${dialText(ahead.amplitude)}`;
    if (ahead.verdict === REFUSED) {
      return `Up the dial, ${from}: not a setting this program can run.`;
    }
    const words = AHEAD_WORDS[ahead.verdict] || [ahead.verdict, ahead.verdict];
    const word = words[ahead.rules.length > 1 ? 1 : 0];
    return `Up the dial, ${from}: ${ahead.rules.join("; ")} ${word}.`;
  }
  const top = state.model ? ` (${dialText(state.model.max_amplitude)})` : "";
  const c = ahead.closest;
  if (here !== "pass") return `No rule is worse up to the top of the dial${top}.`;
  // "reached ... at 100 % of its limit" read as a contradiction: a rule at its limit passes
  const at = !c ? "" : c.fraction >= 0.995 ? "at its limit"
    : `at ${c.fraction < 0.01 ? "under 1 %" : percent(c.fraction)} of its limit`;
  return `No limit is exceeded up to the top of the dial${top}`
    + (c ? `; nearest there: ${c.rule}, ${at}.` : ".");
}

// a threshold that the dial sits within the edge fraction of (the report's words)
function showDial(d) {
  $("sensation").textContent = d.sensation;
  // what reaches the tissue beside the setting, where the device's compliance holds it
  // lower: "1 mA" stood alone in large type over a 0.49 mA output (educator's probe of
  // 7 December 2026)
  $("dial-value").textContent = dialText(d.amplitude) + (d.driven === null
    || d.driven === undefined ? "" : ` (drives ${dialText(d.driven)})`);
  $("level").textContent = LEVEL_WORDS[d.level] || d.level;
  $("level").dataset.level = d.level;
  const tenths = (x) => `${(Math.abs(x) * 100).toFixed(1)} %`;
  // past the device's compliance the fibers get what it drives (d.driven), and the edge
  // is measured from there (the dial's 1 mA read "78 % above pain" where the 0.49 mA
  // driven lay 13 % below it; probe of 6 December 2026)
  const at = d.driven === null || d.driven === undefined ? d.amplitude : d.driven;
  $("edge").textContent = (d.near || []).map((n) => {
    const off = at / n.amplitude - 1;
    return `Too close to call: ${tenths(off)} ${off >= 0 ? "above" : "below"} `
      + `${n.words || n.threshold} (${dialText(n.amplitude)}); another `
      + "sample of the model's nerve fibers moves that threshold by about "
      + `±${tenths(n.fraction)}.`;
  }).join(" ");
  // the virtual people at this setting (the API words them as the report does)
  const people = d.people || {};
  const subjects = Object.values(people).reduce((a, b) => a + b, 0);
  const varied = d.people_varied && d.people_varied.length
    ? d.people_varied : ["skin", "fat", "nerves", "excitability"];
  const differ = `${varied.slice(0, -1).join(", ")} and ${varied[varied.length - 1]}`;
  $("people").textContent = d.people_words
    ? `Of ${subjects} virtual people, whose ${differ} differ as people's do: `
      + `${d.people_words}.`
    : "";
  // where no sensation model applies (DBS, iontophoresis), what the model did compute;
  // with several channels on, whose pads the sensation is read under (the page named
  // none beside another channel's 62 % motor recruitment; probe of 5 December 2026)
  const whose = (d.reasons || []).find((r) => r.startsWith("read under channel"));
  const capped = (d.reasons || []).find((r) => r.startsWith("the device drives at most"));
  const sentence = (r) => `${r[0].toUpperCase()}${r.slice(1)}`;
  $("sensation-why").textContent = d.level === "unknown" ? (d.reasons || []).join(" ")
    : [whose ? `${sentence(whose)}; each channel runs at its share of the dial, and the `
      + "thresholds are dial settings." : "",
    capped ? `${sentence(capped)}.` : "",
    // beside a pulsed channel, the iontophoresis channel's dose at this setting
    ...(d.dose_words || [])].filter(Boolean).join(" ");
  // the force is the window channel's muscle's; beside another channel's sensation, said
  const forceWhose = d.force_channel && whose ? ` (channel ${d.force_channel}'s muscle)` : "";
  $("force").textContent = d.force_fraction === null || d.force_fraction === undefined ? ""
    : `Muscle force${forceWhose}: ${percent(d.force_fraction)} of the muscle's maximum`;
  const verdict = $("verdict");
  // this setting's verdict first, the device maximum's beside it where it differs: "Exceeds
  // a limit" at 0 mA of a program that exceeds one only at the maximum read as if 0 mA
  // were unsafe (educator's probe of 7 December 2026)
  const here = d.setting_verdict || d.safety_verdict;
  verdict.textContent = here === REFUSED ? VERDICT_WORDS[here]
    : `${VERDICT_WORDS[here] || here} at this setting`;
  // a green "Within the limits" beside "all 20 find it painful" read as "safe" (browser
  // probe of 6 December 2026): the limits are the output's, not what a person tolerates
  if (d.level === "pain" && here === "pass") {
    verdict.textContent += ", though painful: they limit the output, not what a person "
      + "tolerates";
  }
  if (here !== REFUSED && d.safety_verdict !== here) {
    const top = state.model ? ` (${dialText(state.model.max_amplitude)})` : "";
    const words = VERDICT_WORDS[d.safety_verdict] || d.safety_verdict;
    verdict.textContent += `; at the device maximum${top}: `
      + `${words[0].toLowerCase()}${words.slice(1)}`;
  }
  verdict.dataset.verdict = here;
  verdict.toggleAttribute("data-painful", d.level === "pain");
  // what lies up the dial: a passing verdict named no rule and no margin (educator's probe
  // of 7 December 2026)
  $("verdict-ahead").textContent = aheadText(d.ahead, here);
  // the setting, what it feels like and the verdict, as the slider's own value: a screen
  // reader says them as the dial turns (the level and the verdict are live regions too)
  $("dial").setAttribute("aria-valuetext", `${dialText(dialAmps())}: `
    + `${LEVEL_WORDS[d.level] || d.level}; ${verdict.textContent}`);
  const rules = $("rules");
  rules.replaceChildren();
  for (const r of d.tripped_rules) {
    const li = document.createElement("li");
    li.textContent = r;
    rules.append(li);
  }
  const bars = $("recruitment");
  bars.replaceChildren();
  for (const [fiber, fraction] of Object.entries(d.recruitment)) {
    const row = document.createElement("div");
    row.className = "bar";
    const name = document.createElement("span");
    name.className = "bar-name";
    name.textContent = fiberName(fiber);
    const track = document.createElement("span");
    track.className = "bar-track";
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "bar-value";
    value.textContent = percent(fraction);
    row.append(name, track, value);
    row.dataset.fiber = fiber;
    bars.append(row);
  }
  if (!bars.children.length) {
    const none = document.createElement("p");
    none.className = "help";
    none.textContent = "No fiber recruitment model for this program.";
    bars.append(none);
  }
  state.waveform = d.waveform;
  drawWaveform(d.waveform);
  drawPattern(d.waveform ? d.waveform.pattern : null);
  drawSection(d.amplitude, d.field_at);
}

// ---- calibration -----------------------------------------------------------------------------

function marksForm() {
  const body = {};
  for (const name of ["first_felt", "strong", "twitch", "too_much", "ramp_minutes"]) {
    const value = $(name).value.trim();
    if (value || name === "first_felt" || name === "strong") body[name] = value;
  }
  return body;
}

async function fit(event) {
  event.preventDefault();
  const form = $("marks");
  clearErrors(form);
  if (!state.model) {
    showError(form, { field: "fit", message: "Choose a mode and wait for it to be prepared." },
              "fit");
    return;
  }
  // a twitch marked below first felt is asked about (409, naming both marks): "Fit" again
  // with the same marks on the same program fits them as they are (phone probe of
  // 7 December 2026)
  const typed = marksForm();
  const asked = `${state.modelJob}|${JSON.stringify(typed)}`;
  try {
    const answer = await api("POST", `/api/jobs/${encodeURIComponent(state.modelJob)}/fit`,
                             { ...typed, confirm: state.confirmFit === asked });
    state.confirmFit = null;
    state.fit = answer.fit;
    // what "save" keeps: the marks on the program they were made on, as the server read
    // them (a mark the page's own parser did not know, μA or "milliamp", went as null)
    const marks = {};
    for (const k of ["first_felt", "strong", "twitch", "too_much"]) {
      marks[k] = answer.fit.marks[k] ?? null;
    }
    state.fitSave = { program: journalProgram(), site: state.model.site, marks,
                      fit: answer.fit, job: state.modelJob };
    $("save-calibration").textContent = "Save to the journal";
    if (state.model.unit === "V") {
      // the journal keeps settings in mA: a voltage dial's marks are not saved
      state.fitSave = null;
      $("save-calibration").textContent = "The journal keeps current programs (mA) only";
    }
    showPerson(answer);
  } catch (err) {
    if (err.field === "job") { forgotten(); return; }
    state.confirmFit = err.confirm ? asked : null;
    // the last fit is not these marks': it stayed under the error, undimmed, and could be
    // saved (educator's probe of 7 December 2026)
    $("fit-result").hidden = true;
    state.fitSave = null;
    state.personPain = null;
    $("save-calibration").disabled = true;
    showError(form, err, "fit");
  }
}

async function personOnProgram() {
  let answer;
  try {
    answer = await api("POST", `/api/jobs/${encodeURIComponent(state.modelJob)}/person`,
                       { fit: state.fit });
  } catch (err) {
    if (err.field === "job") { forgotten(); return; }
    throw err;
  }
  showPerson(answer);
}

function showPerson(p) {
  $("fit-result").hidden = false;
  $("fit-program").textContent = p.program.name;
  const body = $("fit-window");
  body.replaceChildren();
  // the person's own marks beside the fit's predictions, on the program they were made
  // on: "first felt 5.64 mA" stood alone where the person had marked 4 mA (browser probe
  // of 6 December 2026)
  const fitted = p.fit || {};
  const marks = fitted.program === p.program.name && fitted.site === p.program.site
    ? fitted.marks || {} : {};
  const MARKED = { sensory: "first_felt", strong: "strong", motor: "twitch", pain: "too_much" };
  const anyMark = Object.keys(marks).length > 0;
  $("fit-marked-head").hidden = !anyMark;
  for (const [key, amps] of Object.entries(p.window)) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = thresholdName(key);
    tr.append(th);
    if (anyMark) {
      const mark = marks[MARKED[key]];
      const td = document.createElement("td");
      td.textContent = Number.isFinite(mark) ? dialText(mark) : "";
      tr.append(td);
    }
    const td = document.createElement("td");
    td.textContent = Number.isFinite(amps) ? dialText(amps) : "not reached";
    tr.append(td);
    body.append(tr);
  }
  // this person's "too much" on this program, for the journal's question before a session
  // at or past it (it asked with the model's pain only once the fit had been saved; review)
  // the smaller of the person's own "too much" mark on this very program and the fitted
  // pain: the fit leaves a mark out where the model's pain is past the dial, and the mark
  // was then lost (review of 7 December 2026); the journal person it belongs to is the one
  // chosen now, or the one the fit is saved under
  const finite = [marks.too_much, (p.window || {}).pain].filter((x) => Number.isFinite(x)
                                                                     && x > 0);
  state.personPain = { job: state.modelJob, person: $("person").value,
                       amps: finite.length ? Math.min(...finite) : null };
  state.recommended = p.recommended;
  const rec = p.recommendation || {};
  const limited = rec.limited_by ? `, limited by ${rec.limited_by}` : "";
  $("fit-recommend").textContent = `Recommended intensity: ${dialText(p.recommended)}`;
  $("fit-why").textContent = rec.rule ? `${rec.rule.charAt(0).toUpperCase()}`
    + `${rec.rule.slice(1)}${limited}.` : "";
  const f = p.fit || {};
  const times = (k) => `×${Number(k).toFixed(2)}`;
  const words = [];
  if (f.cutaneous_factor !== undefined) {
    words.push(`This person's skin thresholds are the model's typical person's `
      + `${times(f.cutaneous_factor)}`);
    words.push(f.motor_from_twitch ? `the motor threshold ${times(f.motor_factor)} (from the `
      + "first twitch)" : "the motor threshold is assumed to scale the same (no twitch mark)");
    if (f.pain_factor !== undefined) {
      words.push(f.pain_from_mark ? `what is too much ${times(f.pain_factor)} (from the `
        + "'too much' mark)" : "what is too much is assumed to scale the same (no 'too much' "
        + "mark)");
    }
  }
  // a mark the fit misses by more than 10 %: the window above is the fit's, not the marks'
  // (20 and 22 mA read "strong but comfortable 30.7 mA" without a word; probe of 5 December
  // 2026)
  const markWords = { first_felt: "first felt", strong: "strong but comfortable",
                      twitch: "first twitch", too_much: "too much" };
  const missed = Object.entries(f.residuals || {})
    .filter(([, r]) => Number.isFinite(r) && Math.abs(r) > Math.log(1.1))
    .map(([k, r]) => `their '${markWords[k] || k}' mark by ×${Math.exp(Math.abs(r)).toFixed(2)}`);
  if (missed.length) {
    words.push(`the fit misses ${missed.join(" and ")}: this person's thresholds are not a `
      + "scaled copy of the model's, so the window above is the fit's, not their marks");
  }
  $("fit-params").textContent = words.length ? `${words.join("; ")}.`
    + (rec.source ? ` Rule: ${rec.source}.` : "") : "";
  const ramp = $("fit-ramp");
  ramp.replaceChildren();
  // steps at one setting are one line: a ramp held at its start read "minute 0: 9.5 mA"
  // seven times (educator's probe of 7 December 2026)
  const steps = p.ramp || [];
  for (let k = 0; k < steps.length;) {
    let end = k;
    while (end + 1 < steps.length && dialText(steps[end + 1].amplitude)
           === dialText(steps[k].amplitude)) end += 1;
    const li = document.createElement("li");
    const from = +steps[k].minute.toPrecision(3);
    const to = +steps[end].minute.toPrecision(3);
    li.textContent = `${end > k ? `minutes ${from}–${to}` : `minute ${from}`}: `
      + dialText(steps[k].amplitude);
    ramp.append(li);
    k = end + 1;
  }
  $("save-calibration").disabled = !$("person").value || !state.fitSave;
}

async function saveCalibration() {
  const form = $("marks");
  clearErrors(form);
  const person = $("person").value;
  if (!person || !state.fitSave) return;
  try {
    await api("POST", `/api/people/${encodeURIComponent(person)}/calibrations`,
              state.fitSave);
    state.fitSave = null; // kept once
    if (state.personPain) state.personPain.person = person; // the fit is this person's now
    $("save-calibration").textContent = "Saved";
    $("save-calibration").disabled = true;
    await showCalibrations(person);
  } catch (err) {
    showError(form, err, "fit");
  }
}

// ---- the journal -----------------------------------------------------------------------------

// a journal's program name as the menu shows it (a custom program keeps its own name)
function modeLabel(id) {
  const text = String(id);
  const cut = text.indexOf(" (");
  const head = cut > 0 ? text.slice(0, cut) : text;
  const mode = state.modes.find((m) => m.id === head && m.kind !== "custom");
  return mode ? mode.label + text.slice(head.length) : text;
}

// the journal person chosen last, in this browser: a reload chose the first in the list,
// and said "No sessions recorded for this person yet" of the one the session was saved
// under (phone probe of 7 December 2026)
const KEPT_PERSON = "estim.person";

function keepPerson(id) {
  try { localStorage.setItem(KEPT_PERSON, String(id)); } catch (err) { /* storage off */ }
}

function keptPerson() {
  try { return localStorage.getItem(KEPT_PERSON) || ""; } catch (err) { return ""; }
}

async function loadPeople(select) {
  const people = await api("GET", "/api/people");
  const list = $("person");
  const keep = select !== undefined ? String(select) : list.value || keptPerson();
  list.replaceChildren();
  if (!people.length) list.append(option("", "nobody yet"));
  // two people of one name told apart by their number in the journal
  const count = {};
  for (const p of people) count[p.name] = (count[p.name] || 0) + 1;
  for (const p of people) {
    list.append(option(String(p.id), count[p.name] > 1 ? `${p.name} (no. ${p.id})` : p.name));
  }
  if (people.some((p) => String(p.id) === keep)) list.value = keep;
  if (list.value) keepPerson(list.value);
  await showSessions();
}

// a name already in the journal is asked about (the server answers 409 naming who has
// it): that person is chosen, and "Add" again with the same name adds a second one
// ("Anna Test" twice went in silently; phone probe of 7 December 2026)
async function addPerson(event) {
  event.preventDefault();
  const form = $("person-form");
  clearErrors(form);
  const name = $("name").value;
  try {
    const p = await api("POST", "/api/people",
                        { name, confirm: state.confirmName === name.trim() });
    state.confirmName = null;
    $("name").value = "";
    await loadPeople(p.id);
  } catch (err) {
    state.confirmName = err.confirm ? name.trim() : null;
    if (err.existing && err.existing.length) {
      await loadPeople(err.existing[err.existing.length - 1]).catch(() => {});
    }
    showError(form, err, "name");
  }
}

async function showSessions() {
  const person = $("person").value;
  $("save-calibration").disabled = !person || !state.fitSave;
  const body = $("sessions");
  body.replaceChildren();
  $("csv").href = person ? `/api/export.csv?person_id=${encodeURIComponent(person)}`
    : "/api/export.csv";
  if (!person) {
    $("plot").hidden = true;
    $("no-sessions").hidden = false;
    $("calibrations").replaceChildren();
    $("no-calibrations").hidden = false;
    return;
  }
  await showCalibrations(person);
  const sessions = await api("GET", `/api/people/${encodeURIComponent(person)}/sessions`);
  for (const s of sessions) {
    const tr = document.createElement("tr");
    const when = new Date(s.started_at);
    const cells = [
      Number.isNaN(when.getTime()) ? String(s.started_at) : when.toLocaleString(undefined, {
        dateStyle: "medium", timeStyle: "short" }),
      modeLabel(s.program), String(s.site).replace(/_/g, " "), current(s.intensity_a),
      `${+Number(s.minutes).toPrecision(3)}`, `${s.pain_before} → ${s.pain_after}`, s.notes,
    ];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
  $("no-sessions").hidden = sessions.length > 0;
  const plot = $("plot");
  plot.hidden = sessions.length === 0;
  if (sessions.length) {
    plot.src = `/api/people/${encodeURIComponent(person)}/plot.png?n=${sessions.length}`;
  }
}

// a person's saved calibrations; "use" carries that fit to the program on the device now
async function showCalibrations(person) {
  const list = $("calibrations");
  const saved = await api("GET", `/api/people/${encodeURIComponent(person)}/calibrations`);
  list.replaceChildren();
  for (const c of saved) {
    const li = document.createElement("li");
    const when = new Date(c.created_at);
    const text = document.createElement("span");
    // every mark kept, not the first two alone: the "too much" at 40 mA read as dropped
    // (educator's probe of 7 December 2026)
    const kept = [["first_felt", "first felt"], ["strong", "strong"], ["twitch", "twitch"],
                  ["too_much", "too much"]]
      .filter(([k]) => c.marks[k] !== null && c.marks[k] !== undefined)
      .map(([k, words]) => `${words} ${current(c.marks[k])}`);
    text.textContent = `${when.toLocaleDateString(undefined, { dateStyle: "medium" })}, `
      + `${modeLabel(c.program)}: ${kept.join(", ")} `;
    const use = document.createElement("button");
    use.type = "button";
    use.className = "mark";
    use.textContent = "Use for this program";
    use.addEventListener("click", async () => {
      state.fit = c.fit;
      state.fitSave = null; // already in the journal
      if (state.model) await personOnProgram().catch(() => {});
      $("calibration").scrollIntoView({ behavior: "smooth" });
    });
    li.append(text, use);
    list.append(li);
  }
  $("no-calibrations").hidden = saved.length > 0;
}

async function recordSession(event) {
  event.preventDefault();
  const form = $("session-form");
  clearErrors(form);
  clearErrors($("journal"));
  const person = $("person").value;
  if (!person) {
    showError($("journal"), { field: "person_id", message: "Add or choose a person first." },
              "person_id");
    return;
  }
  if (!state.model) {
    showError(form, { field: "program", message: "Choose a mode on the device first." },
              "program");
    return;
  }
  if (state.model.unit === "V") {
    showError(form, { field: "intensity", message: "The journal keeps the settings of "
                      + "current-controlled programs (mA); this program's dial is in volts." },
              "intensity");
    return;
  }
  const pain = (id) => {
    const text = $(id).value.trim();
    return /^-?\d+$/.test(text) ? Number(text) : text;
  };
  // a session at or past what hurts is asked about before it is kept (the server reads
  // the intensity as the journal does and answers 409): 100 mA went into the journal
  // without a word, where the person had marked "too much" at 13.5 mA (phone probe of
  // 7 December 2026); a second press keeps it, as it is what happened. Asked once for this
  // person, program and intensity.
  const asked = `${person}|${state.modelJob}|${$("intensity").value.trim()}`;
  // this person's, on this program: another journal person is not asked with it
  const tooMuch = state.personPain && state.personPain.job === state.modelJob
    && state.personPain.person === person && Number.isFinite(state.personPain.amps)
    ? state.personPain.amps : null;
  try {
    await api("POST", `/api/people/${encodeURIComponent(person)}/sessions`, {
      program: journalProgram(), job: state.modelJob, site: state.model.site,
      intensity: $("intensity").value,
      minutes: $("minutes").value, pain_before: pain("pain_before"),
      pain_after: pain("pain_after"), notes: $("notes").value,
      too_much_a: tooMuch, confirm: state.confirmSession === asked,
    });
    state.confirmSession = null;
    $("notes").value = "";
    await showSessions();
  } catch (err) {
    if (err.confirm) state.confirmSession = asked;
    showError(form, err, "program");
  }
}

// ---- wiring --------------------------------------------------------------------------------

function step(direction) {
  const dial = $("dial");
  // from an exact setting to the next whole step that way
  const next = direction > 0 ? Math.floor(Number(dial.value) + 1e-9) + 1
    : Math.ceil(Number(dial.value) - 1e-9) - 1;
  dial.value = String(Math.max(0, Math.min(DIAL_STEPS, next)));
  turned();
}

document.addEventListener("DOMContentLoaded", async () => {
  // a mode is prepared once the menu has rested on it: the arrow keys fire "change" on
  // every mode they pass, and each was queued on the one worker ahead of the one chosen
  // (probe of 6 December 2026)
  let modeTimer = null;
  $("waveform-fit").addEventListener("change", () => drawWaveform(state.waveform || null));
  $("mode").addEventListener("change", () => {
    // a new mode starts as its own program: the last mode's site, pads and timings were
    // carried into it (true interferential ran with TENS's 0.5 cm pads, a pasted program
    // on the forearm left in the form; educator's probe of 7 December 2026)
    for (const name of ["site", "anode", "cathode", "pad_width", "pad_length", "pulse_width",
                        "frequency"]) {
      $(name).value = "";
    }
    fillPlacements();
    $("placement-help").hidden = true;
    const described = describeMode();
    clearTimeout(modeTimer);
    modeTimer = setTimeout(async () => { await described; applySettings(); }, 400);
  });
  // a changed setting is prepared at once (the page says it is recomputing); another site
  // waits until both pads are placed on it
  const placed = () => !$("site").value || ($("anode").value && $("cathode").value);
  $("site").addEventListener("change", () => {
    fillPlacements();
    $("placement-help").hidden = placed();
    if (placed()) applySettings();
  });
  for (const id of ["anode", "cathode"]) {
    $(id).addEventListener("change", () => {
      $("placement-help").hidden = placed();
      if (placed()) applySettings();
    });
  }
  // a changed setting is prepared after a moment; while the other pad box is being typed
  // in, not yet: a square pad's width, then its length, prepared the half-typed pad first
  // and queued the whole one behind it (educator's probe of 7 December 2026)
  let settingsTimer = null;
  let pending = false;
  const soon = (wait = 600) => {
    pending = true;
    clearTimeout(settingsTimer);
    settingsTimer = setTimeout(() => { pending = false; applySettings(); }, wait);
  };
  for (const id of ["pad_width", "pad_length", "pulse_width", "frequency"]) {
    $(id).addEventListener("change", () => soon());
  }
  for (const id of ["pad_width", "pad_length"]) {
    // into the other pad box, or typing there: a little longer, for the pad's other side
    $(id).addEventListener("focus", () => { if (pending) soon(2500); });
    $(id).addEventListener("input", () => { if (pending) soon(2500); });
    $(id).addEventListener("blur", () => { if (pending) soon(); });
  }
  $("settings").addEventListener("submit", applySettings);
  $("dial").addEventListener("input", turned);
  // the arrow keys move the dial one step, as its - and + buttons do (a key moved two;
  // educator's probe of 7 December 2026); Home, End and the page keys as the slider has them
  $("dial").addEventListener("keydown", (event) => {
    const way = {ArrowUp: 1, ArrowRight: 1, ArrowDown: -1, ArrowLeft: -1}[event.key];
    if (way === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    step(way);
  });
  $("dial-down").addEventListener("click", () => step(-1));
  $("dial-up").addEventListener("click", () => step(+1));
  $("dial-programmed").addEventListener("click", () => {
    if (state.model) setDial(state.model.programmed);
  });
  for (const button of document.querySelectorAll(".mark")) {
    button.addEventListener("click", () => {
      if (!state.model) return;
      $(button.dataset.mark).value = dialText(dialAmps());
    });
  }
  $("marks").addEventListener("submit", fit);
  $("save-calibration").addEventListener("click", saveCalibration);
  $("use-recommended").addEventListener("click", () => {
    if (state.model && state.recommended !== undefined) setDial(state.recommended);
  });
  $("person-form").addEventListener("submit", addPerson);
  $("person").addEventListener("change", () => {
    keepPerson($("person").value);
    showSessions().catch(() => {});
  });
  $("session-form").addEventListener("submit", recordSession);
  // a typed intensity is kept; an emptied box follows the dial again
  $("intensity").addEventListener("input", () => {
    state.intensityTyped = $("intensity").value.trim() !== "";
  });
  window.addEventListener("resize", () => { if (state.dial) showDial(state.dial); });
  // a page closed or reloaded lets go of the program it is waiting for: the server stops
  // it unless a page asks again within seconds (a reload does, and rejoins it); a tab
  // merely hidden says nothing and keeps its job (phone probe of 7 December 2026)
  window.addEventListener("pagehide", () => {
    if (state.job && state.job !== state.modelJob && navigator.sendBeacon) {
      navigator.sendBeacon(`/api/jobs/${encodeURIComponent(state.job)}/let-go`);
    }
  });
  await loadMenus();
  await loadPeople().catch((err) => {
    $("journal").querySelector('.error[data-for="person_id"]').textContent =
      `The journal cannot be opened: ${err.message}`;
  });
  await restoreSettings();
  await applySettings();
});
