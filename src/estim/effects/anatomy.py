"""Anatomy of the nerves under the electrodes, per site: where cutaneous afferents run and end,
and which muscle's motor branches lie below the fat.

Cutaneous afferents run in a deep dermal plexus and send terminal branches up toward the
epidermis, roughly perpendicular to the skin. estim draws each afferent as one fiber with
both parts: the terminal branch rises from the plexus to the ending (the fiber's first node
is the ending, an active sealed end), and the parent axon runs on along the plexus, parallel
to the skin. Depths are fractions of the site's own skin layer, so a program that overrides
``skin_thickness`` moves the plexus with it.

Motor axons are the intramuscular branches of the nerve to the muscle under the electrodes,
at a depth *inside that muscle*: below the site's skin and fat layers, whatever their
thickness. They run along the muscle fibers and are spread over the muscle's innervation
region, so the fraction of them that fires is the fraction of that muscle's motor units
recruited.

Periosteal nociceptors: a bone under thin soft tissue (the shin) carries a periosteum, the
most densely innervated part of bone, whose afferents are thin myelinated Aδ and
unmyelinated C nociceptors running as a branched network parallel to the bone's surface
(:data:`PERIOSTEUM_SOURCES`). estim draws its Aδ like the skin's, one layer down: a plexus
axon in the periosteum and a free ending rising from it. Pain counts them with the skin's Aδ
(:func:`estim.effects.window.pain_threshold`): nociceptive input sums at the spinal cord
whatever the tissue it comes from.

Every number is a row with its source; where no primary measurement was found the row says
"assumed" and why the value is plausible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estim.errors import InputError

__all__ = [
    "BETWEEN_GROUPS",
    "CUTANEOUS_TABLE",
    "INNERVATION_DENSITY",
    "LIMB_MUSCLES",
    "MUSCLES",
    "PERIOSTEAL_DENSITY_RATIO",
    "PERIOSTEAL_PLEXUS_ABOVE_BONE_M",
    "PERIOSTEUM_SOURCES",
    "SITE_MUSCLE",
    "CutaneousLayout",
    "DepthRow",
    "Muscle",
    "between_groups",
    "cutaneous_layout",
    "innervation_density",
    "muscle_for_site",
    "periosteal_layout",
]

_LEE_HWANG = ("Lee Y, Hwang K (2002) Skin thickness of Korean adults. Surg Radiol Anat 24:183 "
              "(epidermis 31-637 µm, dermis 469-1942 µm over 28 sites)")
_PROVITERA = ("Provitera V et al. (2007) Myelinated nerve endings in human skin. Muscle Nerve "
              "35:767 (Aδ terminals lose their myelin in the upper dermis; myelinated endings "
              "in the papillary dermis are Aβ)")
_KENNEDY = ("Kennedy WR, Wendelschafer-Crabb G (1993) The innervation of human epidermis. "
            "J Neurol Sci 115:184 (intraepidermal fibers branch from a subepidermal plexus)")
_BOTTER = ("Botter A et al. (2011) Atlas of the muscle motor points for the lower limb. "
           "Eur J Appl Physiol 111:2461 (subcutaneous fat over the vasti motor points 7-10 mm)")

@dataclass(frozen=True, slots=True)
class DepthRow:
    """A depth range as (min, max) fractions of the skin layer's thickness, with its source."""

    name: str
    fraction: tuple[float, float]
    source: str
    note: str = ""


#: Where cutaneous afferents run and end, as fractions of the site's skin-layer thickness
#: (the model's skin layer is epidermis + dermis). ``plexus_*``: the parent axon; ``ending_*``:
#: the tip of the terminal branch (myelinated part for Aβ/Aδ, the free ending for C).
CUTANEOUS_TABLE: tuple[DepthRow, ...] = (
    DepthRow("abeta_plexus_fraction", (0.6, 0.9), _LEE_HWANG,
               note="deep dermal plexus: lower half of the dermis, above the subcutis"),
    DepthRow("abeta_ending_fraction", (0.1, 0.35), _PROVITERA,
               note="Meissner/Merkel/hair-follicle endings in the papillary and upper "
                    "reticular dermis"),
    DepthRow("adelta_plexus_fraction", (0.5, 0.9), _PROVITERA),
    DepthRow("adelta_ending_fraction", (0.1, 0.25), _PROVITERA,
               note="where the fiber loses its myelin below the epidermis: the last node; "
                    "with adelta_ending='free' an unmyelinated terminal rises from here "
                    "toward the epidermis (estim.fibers.tables.FREE_ENDING), its tip no "
                    "shallower than the C endings"),
    DepthRow("c_plexus_fraction", (0.15, 0.4), _KENNEDY,
               note="subepidermal plexus"),
    DepthRow("c_ending_fraction", (0.03, 0.08), _KENNEDY,
               note="intraepidermal free endings (epidermis ~0.1 mm of a 1.5-2 mm skin)"),
)


@dataclass(frozen=True, slots=True)
class CutaneousLayout:
    """Depth ranges (m) of one afferent class at a site: the plexus axon and the ending."""

    plexus_depth_m: tuple[float, float]
    ending_depth_m: tuple[float, float]


def cutaneous_layout(fiber_class: str, skin_thickness_m: float) -> CutaneousLayout:
    """Depths of class ``"abeta"``, ``"adelta"`` or ``"c"`` in skin of this thickness (m)."""
    if not (skin_thickness_m > 0):
        raise InputError("skin_thickness", skin_thickness_m, "a skin layer thicker than 0 m")
    rows = {e.name: e.fraction for e in CUTANEOUS_TABLE}
    try:
        p0, p1 = rows[f"{fiber_class}_plexus_fraction"]
        e0, e1 = rows[f"{fiber_class}_ending_fraction"]
    except KeyError:
        raise InputError("fiber_class", fiber_class, "abeta, adelta or c") from None
    t = skin_thickness_m
    return CutaneousLayout((p0 * t, p1 * t), (e0 * t, e1 * t))


_STEVERINK = ("Steverink JG et al. (2021) Sensory innervation of human bone: an "
              "immunohistochemical study to further understand bone pain. J Pain 22:1385 "
              "(abstract: the periosteum holds the most sensory fibers of bone, organised as a "
              "branched network throughout it)")
_CASTANEDA = ("Castañeda-Corral G et al. (2011) The majority of myelinated and unmyelinated "
              "sensory nerve fibers that innervate bone express the tropomyosin receptor kinase "
              "A. Neuroscience 178:196 (mouse femur: CGRP+ and NF200+ (myelinated) fibers, "
              "periosteum : marrow : mineralised bone = 100 : 2 : 0.1 per unit volume)")

#: Where the periosteal Aδ run: (min, max) height of the plexus axon *above the bone's
#: surface* (m). It lies in the periosteum's outer fibrous layer (assumed: an adult
#: periosteum is ~0.1-0.2 mm thick), parallel to the bone; its myelin ends there and the
#: skin's Aδ free ending (estim.fibers.tables.FREE_ENDING) rises from it toward the skin.
PERIOSTEAL_PLEXUS_ABOVE_BONE_M = (0.05e-3, 0.15e-3)
PERIOSTEUM_SOURCES = (_STEVERINK, _CASTANEDA)

#: Periosteal Aδ per cm² of bone surface over the skin's Aδ per cm² of skin
#: (:data:`INNERVATION_DENSITY`). No human count per area of periosteum was found (Steverink
#: et al. 2021 count fibers per section; the periosteum is the densest-innervated compartment
#: of bone, Castañeda-Corral et al. 2011), so it is one of the global values calibrated once:
#: on Hughes et al.'s (2013) two window differences against the tibia, lower back − tibia
#: and knee − tibia (:func:`estim.effects.calibrate.calibrate_periosteal_density`, least
#: squares weighted by their CIs, on a grid of 0.05): 0.25. The data hold it only loosely
#: (from 0.22 to 0.4 the cost is within 0.15 of its minimum, and it jumps below 0.22); it
#: was 0.4 until 6 December 2026, when the skin's pain fraction was calibrated again at the
#: intolerance study's 150 µs (0.768 -> 0.781), and an assumed 1 before 4 December, which
#: put lower back − tibia 2.5 mA above Hughes's CI (docs/effects.md, "Bony and fleshy
#: sites").
PERIOSTEAL_DENSITY_RATIO = 0.25


def periosteal_layout(bone_depth_m: float) -> CutaneousLayout:
    """Depths (m, below the skin's surface) of the periosteal Aδ over a bone whose surface
    lies ``bone_depth_m`` deep: the plexus axon, and where its myelin ends (the same)."""
    lo, hi = PERIOSTEAL_PLEXUS_ABOVE_BONE_M
    if not bone_depth_m > hi:
        raise InputError("bone_depth_m", bone_depth_m, f"a bone deeper than {hi * 1e3:g} mm")
    plexus = (bone_depth_m - hi, bone_depth_m - lo)
    return CutaneousLayout(plexus, plexus)


@dataclass(frozen=True, slots=True)
class Muscle:
    """The muscle under a site's electrodes and where its motor branches run.

    :param branch_depth_m: (min, max) depth of the intramuscular motor branches below the
        muscle's surface (the fat-muscle boundary), m.
    :param region_m: (along the muscle fibers, across) extent of the innervation region over
        which the branches are spread (m): the whole muscle's motor units, so the fraction
        recruited is a fraction of the muscle.
    :param max_force_N: the muscle group's maximal voluntary force at the point of force
        measurement (N), for the record (the force model works in fractions of the Ding
        muscle's maximal force); None where no measurement was read.
    :param motor_units: motor-unit number estimate (for the record; the model works in
        fractions); None where none was found.
    :param site_position: where the muscle's motor points lie on a limb site, when not
        under the pads.
    """

    name: str
    branch_depth_m: tuple[float, float]
    region_m: tuple[float, float]
    max_force_N: float | None
    motor_units: int | None
    source: str
    #: on a limb site, where the innervation region's centre lies: (polar angle of the
    #: limb's cross-section, rad, as the site's placements; height along the limb, m). None:
    #: under the cathode (the muscle fills the limb under the pads).
    site_position: tuple[float, float] | None = None
    #: motor nerves near the pads that the model leaves out (said in every window's notes)
    not_modelled: str = ""
    #: SD between people of where the motor points lie along the limb (m): each virtual
    #: subject's motor branches are moved along the limb by one normal draw of it
    #: (:mod:`estim.effects.subjects`); 0 where no spread was found measured
    motor_point_sd_m: float = 0.0
    #: where ``motor_point_sd_m`` comes from
    motor_point_spread: str = "no spread between people found measured: none drawn"

    @property
    def short_name(self) -> str:
        """The name without its parenthesis: "quadriceps", "vastus medialis"."""
        return self.name.split(" (")[0].split(",")[0]


_ASSUMED_DEPTH = ("assumed: no direct measurement of intramuscular branch depth found; the "
                  "nerve enters on the deep surface and branches through the muscle, so the "
                  "branches fill the outer ~half of the muscle's thickness")

#: One row per muscle group. Depths are below the muscle surface (inside muscle).
MUSCLES: dict[str, Muscle] = {
    "quadriceps": Muscle(
        "quadriceps (vastus medialis and lateralis, rectus femoris)", (3e-3, 25e-3),
        (0.15, 0.12), 700.0, 229,
        f"{_BOTTER}; region: vasti motor points span ~15 cm along the thigh; max force: knee "
        "extension MVC ~200 N·m (Šarabon et al. 2021, Front Physiol 12:767941) at a 0.3 m "
        "lever; MUNE vastus medialis 229 ± 108 (Galea et al. 1991, Muscle Nerve 14:1123); "
        f"depth {_ASSUMED_DEPTH}",
        motor_point_sd_m=0.025,
        motor_point_spread=(
            "the vastus lateralis's motor point along the thigh varies between people by 6.55 % "
            "of the iliac spine-patella line, 2.4-3.3 cm (30 people, Thai J Phys Ther, abstract);"
            " the vastus medialis's nerve entry by 0.06 of the thigh's length, ~2.5 cm (16 "
            "cadavers, Cureus 16513, abstract): 2.5 cm")),
    "forearm_flexors": Muscle(
        "forearm flexors (flexor carpi radialis, flexor digitorum superficialis)",
        (2e-3, 12e-3), (0.08, 0.05), 300.0, 200,
        "region and depth assumed from forearm cross-sections (flexor compartment ~2 cm "
        f"thick); max force: grip/wrist flexion order 300 N; {_ASSUMED_DEPTH}",
        motor_point_sd_m=0.0085,
        motor_point_spread=(
            "flexor digitorum superficialis nerve branch points at 41.6 ± 2.6 % and 72.4 ± 4.5 % "
            "of a 234.6 mm forearm line (24 cadaver arms; Surg Radiol Anat 45:1593, 2023, "
            "abstract): 0.6 and 1.1 cm, their mean 0.85 cm")),
    "biceps": Muscle(
        "biceps brachii", (3e-3, 15e-3), (0.08, 0.05), 250.0, 113,
        "MUNE 113 ± 40 (Galea et al. 1991, Muscle Nerve 14:1123); max force: elbow flexion "
        f"~70 N·m at a 0.3 m lever; {_ASSUMED_DEPTH}",
        motor_point_sd_m=0.014,
        motor_point_spread=(
            "short and long head motor points at 69.0 ± 4.9 % and 67.3 ± 4.3 % of the coracoid-"
            "elbow crease line (40 people; Moon et al. 2012, Ann Rehabil Med 36(2), abstract): "
            "~1.4 cm on a ~30 cm line (estim's arithmetic)")),
    "triceps_surae": Muscle(
        "calf muscles (gastrocnemius and soleus)", (3e-3, 20e-3), (0.12, 0.08), 1200.0, 300,
        "motor points of medial/lateral gastrocnemius at 36-41 % of the leg length (J Korean "
        f"Acad Rehabil Med 25:621, 2001); {_ASSUMED_DEPTH}",
        motor_point_sd_m=0.02,
        motor_point_spread=(
            "medial and lateral gastrocnemius motor points at 41.0 ± 6.1 % and 35.7 ± 5.2 % of "
            "the popliteal crease-ankle line (11 people; J Korean Acad Rehabil Med 25:621, 2001, "
            "abstract): ~2 cm on a ~38 cm line (estim's arithmetic)")),
    "tibialis_anterior": Muscle(
        "tibialis anterior", (2e-3, 12e-3), (0.10, 0.03), None, 150,
        "Narita et al. 2011, J Phys Ther Sci 23:381 (16 cadaver legs; abstract): a median of "
        "8 nerve-entry points per muscle, 68 % of them in the proximal third of the fibular "
        "head-lateral malleolus line (~30 cm: the region's 10 cm along), the thickest branch "
        "0.9 cm from the lateral edge at 33.5 % of the muscle's width (~2.7 cm: 3 cm across; "
        "estim's arithmetic); Yi et al. 2017, Surg Radiol Anat 39:77 (110 legs; abstract): "
        "the densest intramuscular arborisation 20-30 % of the leg below the fibular head; "
        "MUNE 153 (McNeil et al. 2005, Clin Neurophysiol 116:1342) and 132 ± 26 (Debenham et "
        "al. 2025, J Electromyogr Kinesiol 103030), both by decomposition-enhanced "
        f"spike-triggered averaging; max force not read; {_ASSUMED_DEPTH}"),
    "forearm_extensors": Muscle(
        "forearm extensors (extensor digitorum, extensor carpi radialis and ulnaris)",
        (2e-3, 12e-3), (0.08, 0.05), None, None,
        "Safwat & Abdel-Meguid 2007, Folia Morphol 66:83 (23 cadaver forearms; abstract): "
        "motor points usually in the proximal third of each muscle, entered from the lateral "
        "side and the deep surface; Liu et al. 1997, Anat Rec 248:456 (10 forearms; "
        "abstract): 17 of 19 forearm muscles have two or more terminal nerve entry points, "
        "their medians in the proximal or middle third; region as the flexors' (assumed); "
        "max force: peak isometric wrist extension moment 7.1 ± 2.1 N·m (10 men; J Biomech "
        "29:1371, 1996, abstract), not converted to a force; MUNE not found; "
        f"{_ASSUMED_DEPTH}",
        motor_point_sd_m=0.015,
        motor_point_spread=(
            "extensor carpi radialis brevis motor points 55 ± 17, 66 ± 17 and 79 ± 11 mm from "
            "the biepicondylar line (30 fixed cadaver limbs; Pérez-Mérida, Sousa-Rodrigues & "
            "Olave, Int J Morphol, abstract): the mean of the three SDs, 1.5 cm (which point "
            "counts as the first may add to it)")),
    "hamstrings": Muscle(
        "hamstrings (biceps femoris, semitendinosus, semimembranosus)", (3e-3, 25e-3),
        (0.13, 0.10), None, None,
        "50 cadaver limbs (PubMed 20063163, abstract): terminal intramuscular nerve endings "
        "of the long head of biceps femoris at 39.7-72.9 % and of semimembranosus at "
        "55.9-89.1 % of the ischial tuberosity-medial femoral epicondyle line (~13 cm each "
        "on a ~40 cm line: the region's 13 cm along; estim's arithmetic); Woodley & Mercer "
        "2005, Cells Tissues Organs 179:125: semitendinosus two partitions in series, each "
        "with its own nerve; across: the back of the thigh (assumed); max force: isometric "
        "knee flexion at 80° 66.8 ± 13.8 N·m (women) and 89.8 ± 21.0 N·m (men) "
        "(Arthrosc Sports Med Rehabil 2024, PMC10823066, abstract), not converted to a "
        f"force; MUNE not found; depth as the quadriceps' ({_ASSUMED_DEPTH})",
        motor_point_sd_m=0.03,
        motor_point_spread=(
            "the motor branches' origins from the ischial tuberosity: biceps femoris 6.9 ± 1.8 "
            "and semitendinosus 7.1 ± 2.2 cm proximally, semimembranosus 13.1 ± 3.6, biceps "
            "femoris 12.6 ± 3.9 and semitendinosus 14.3 ± 3.9 cm at mid-thigh (30 cadaver "
            "limbs; 'Precise localization of the motor nerve branches to the hamstring "
            "muscles', Arch Phys Med Rehabil, abstract): the mean of the five SDs, 3.1 cm, "
            "to 3 cm; Botter et al. 2011 found the short head's and semimembranosus's motor "
            "points among the most variable")),
    "triceps_brachii": Muscle(
        "triceps brachii", (3e-3, 15e-3), (0.08, 0.05), None, None,
        "motor end-plate zones of the long, lateral and medial heads at 43.8, 54.8 and "
        "60.4 % of the acromion-olecranon line (12 cadaver limbs; Ann Rehabil Med 43:635, "
        "2019, abstract): ~5 cm apart on a ~30 cm arm; intramuscular arborisation 30-70 % of "
        "the line (Yi et al. 2023, Clin Anat, abstract); region as the biceps' (assumed); "
        f"max force and MUNE not found; depth as the biceps' ({_ASSUMED_DEPTH})"),
    # Over the knee joint there is no muscle: the pads lie on the capsule, the retinacula
    # and the patellar and collateral ligaments. The nearest motor points are those of the
    # vastus medialis above the joint; the knee site runs 17.5 cm above the joint line to
    # hold them.
    "vastus_medialis_obliquus": Muscle(
        "vastus medialis (its oblique distal part), above the knee", (2e-3, 12e-3),
        (0.06, 0.04), 700.0, 229,
        "the vastus medialis motor point lies 82 % of the way from the anterior superior "
        "iliac spine to the patella and 15 % of that line medial to it (30 people, Thai J "
        "Phys Ther, abstract): about 7.7 cm above the patella on a 43 cm thigh and 6 cm "
        "round the knee from its front (estim's arithmetic); Botter et al. 2011's distal "
        "vastus medialis motor point is the oblique part's, below it. The region is "
        "centred 10.5 cm above the joint line (the patella's upper pole ~5.5 cm above it in "
        "extension, assumed) and spans 7.5-13.5 cm, 1.14 rad medial of the front; the "
        "oblique part's centre lies 4.58 ± 0.67 cm above the patella's superior pole (12 "
        "cadavers; University of North Dakota physical therapy graduate project, 1993, "
        "commons.und.edu/pt-grad/83, abstract; not peer-reviewed): 10.1 cm above the joint "
        "line here, 0.4 cm below the region's centre; how far its motor branches reach "
        "toward the patella (its distal fibres insert down to the patella's upper third or "
        "middle: Smith et al. 2009, Eur J Orthop Surg Traumatol, a review of 8 studies, "
        "abstract) was not found measured; max force "
        f"and MUNE as the quadriceps' vastus medialis; {_ASSUMED_DEPTH}",
        site_position=(-1.14, 0.105),
        motor_point_sd_m=0.025,
        motor_point_spread=(
            "the vastus medialis's nerve entry varies between people by 0.06 of the thigh's "
            "length, ~2.5 cm (16 cadavers, Cureus 16513, abstract)"),
        not_modelled="the common peroneal nerve, which winds round the fibular neck 3-4 cm "
                     "below the lateral joint line (posterolateral), is not modelled: a "
                     "twitch of the ankle's dorsiflexors from pads at or below the lateral "
                     "joint line is not predicted"),
    "paraspinals": Muscle(
        "lumbar paraspinals (erector spinae and multifidus)", (5e-3, 30e-3), (0.12, 0.06),
        2000.0, 300,
        f"region assumed (lumbar paraspinals ~6 cm wide per side); {_ASSUMED_DEPTH}"),
    "facial": Muscle(
        "facial muscles (zygomaticus major and masseter)", (1e-3, 6e-3), (0.04, 0.03), 100.0, 100,
        "facial muscles are innervated on their deep surface (facial nerve branches run "
        f"below the SMAS); {_ASSUMED_DEPTH}"),
}

#: The muscle group under each site's electrodes.
SITE_MUSCLE: dict[str, str] = {
    "thigh": "quadriceps", "forearm": "forearm_flexors", "upper_arm": "biceps",
    "calf": "triceps_surae", "knee": "vastus_medialis_obliquus", "lower_back": "paraspinals",
    "patch": "paraspinals", "cheek": "facial",
}


#: On a limb the muscle group under a pad depends on the side of the limb it lies on: per
#: site, (polar angle of the group's centre on the limb's cross-section, rad, as the site's
#: placements measure it: 0 the front; muscle key). A pad gets the group whose centre is
#: nearest its own polar angle; a pad as far from two groups (the calf's lateral, peroneal
#: side; the upper arm's deltoid) gets the site's own (:data:`SITE_MUSCLE`). The forearm's
#: groups are centred off the midlines: the extensor compartment with the mobile wad
#: (brachioradialis, extensor carpi radialis) holds the dorsal and radial side, the flexors
#: the volar and ulnar side, divided by the ulna's subcutaneous border (dorsal-ulnar).
LIMB_MUSCLES: dict[str, tuple[tuple[float, str], ...]] = {
    "forearm": ((-math.pi / 4, "forearm_flexors"), (3 * math.pi / 4, "forearm_extensors")),
    "calf": ((0.0, "tibialis_anterior"), (math.pi, "triceps_surae")),
    "thigh": ((0.0, "quadriceps"), (math.pi, "hamstrings")),
    "upper_arm": ((0.0, "biceps"), (math.pi, "triceps_brachii")),
}


#: What lies between a limb's modelled muscle groups, where a pad as far from both gets the
#: site's own group (:func:`muscle_for_site`); the window says so in its notes.
BETWEEN_GROUPS: dict[str, str] = {
    "calf": "the lateral (peroneal) compartment, peroneus longus and brevis",
    "upper_arm": "the deltoid",
}


def _nearest_groups(site_name: str, polar_angle_rad: float) -> list[tuple[float, str]]:
    def apart(angle: float) -> float:
        return abs((polar_angle_rad - angle + math.pi) % (2 * math.pi) - math.pi)

    return sorted((apart(angle), key) for angle, key in LIMB_MUSCLES.get(site_name, ()))


def between_groups(site_name: str, polar_angle_rad: float | None) -> str | None:
    """What a pad at this polar angle lies over when it is as far from two of the limb's
    muscle groups (:data:`BETWEEN_GROUPS`), else None."""
    if polar_angle_rad is None or not math.isfinite(polar_angle_rad):
        return None
    gaps = _nearest_groups(site_name, polar_angle_rad)
    if len(gaps) > 1 and gaps[1][0] - gaps[0][0] < 1e-6:
        return BETWEEN_GROUPS.get(site_name, "the gap between two muscle groups")
    return None


def muscle_for_site(site_name: str, polar_angle_rad: float | None = None) -> Muscle:
    """The muscle group under the electrodes of a (transcutaneous) site; on a limb with
    groups on several sides (:data:`LIMB_MUSCLES`), the one nearest the cathode's polar
    angle."""
    try:
        default = MUSCLES[SITE_MUSCLE[site_name]]
    except KeyError:
        raise InputError("site.name", site_name,
                         "a transcutaneous site: " + ", ".join(sorted(SITE_MUSCLE))) from None
    if site_name not in LIMB_MUSCLES or polar_angle_rad is None \
            or not math.isfinite(polar_angle_rad) \
            or between_groups(site_name, polar_angle_rad) is not None:
        return default  # as far from two groups: the site's own
    return MUSCLES[_nearest_groups(site_name, polar_angle_rad)[0][1]]


_CORNIANI = ("Corniani G, Saal HP (2020) Tactile innervation densities across the whole body. "
             "J Neurophysiol 124:1229 (about 230,000 tactile afferents; 15 % in the palms, 19 % "
             "around the face; on hairy skin density follows hair-follicle density)")
_SZABO = ("Szabo G (1967) Phil Trans R Soc Lond B 252:447 (hair follicles 700 ± 40 /cm² on the "
          "face, 65 ± 5 /cm² over the rest of the body)")

#: Myelinated afferents per cm² of hairy skin, (Aβ, Aδ). Body: 66 % of Corniani & Saal's
#: 230,000 tactile afferents over ~17,000 cm² of skin that is neither palm nor face (estim's
#: arithmetic) ≈ 9 /cm²; face: that times Szabo's follicle ratio 700/65. Aδ is assumed as
#: dense as Aβ (the myelinated fibers of human cutaneous nerves form two modes of similar
#: size, ~3 and ~9 µm). Only the ratios between sites shape predictions: the counts that the
#: sensation criteria require are calibrated (:mod:`estim.effects.calibration`).
_BODY_PER_CM2 = 0.66 * 230_000 / 17_000
INNERVATION_DENSITY: dict[str, tuple[float, float, str]] = {
    "body": (_BODY_PER_CM2, _BODY_PER_CM2, f"{_CORNIANI}; Aδ as dense as Aβ (assumed)"),
    "face": (_BODY_PER_CM2 * 700 / 65, _BODY_PER_CM2 * 700 / 65,
             f"{_CORNIANI}; {_SZABO}; Aδ as dense as Aβ (assumed)"),
}

_FACE_SITES = frozenset({"cheek"})


def innervation_density(site_name: str | None, fiber_class: str) -> float:
    """Afferents per m² of skin of class ``"abeta"`` or ``"adelta"`` at a site."""
    row = INNERVATION_DENSITY["face" if site_name in _FACE_SITES else "body"]
    try:
        per_cm2 = {"abeta": row[0], "adelta": row[1]}[fiber_class]
    except KeyError:
        raise InputError("fiber_class", fiber_class, "abeta or adelta") from None
    return per_cm2 * 1e4  # [1/cm² -> 1/m²]

