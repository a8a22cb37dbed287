"""Tissue fields: sites, electrodes, skin interface, analytic and FEM volume conductors.

The potential is linear in current, so each electrode channel is solved once per ampere
(:func:`solve_fields`, :func:`fields_for_program`) and superposed at its current. Nothing
happens at import: gmsh, scikit-fem and pyamg are imported when a solve runs.
"""

from estim.fields.analytic import (
    disc_current_density,
    disc_field,
    disc_potential,
    disc_resistance,
    layered_remainder,
    layered_surface_potential,
    point_source_potential,
    two_layer_surface_potential,
)
from estim.fields.cache import cache_dir, cache_key
from estim.fields.electrodes import (
    Boundary,
    Channel,
    DBSLead,
    Electrode,
    ElectrodeShape,
    InterfaceModel,
    place_electrode,
)
from estim.fields.fem.geometry import MeshSettings
from estim.fields.interference import (
    envelope_along,
    envelope_max,
    modulation_depth,
    premodulated_envelope,
)
from estim.fields.program import ProgramFields, fields_for_program
from estim.fields.sites import (
    SITE_NAMES,
    Layer,
    Placement,
    Site,
    make_site,
    placement,
    placements,
    site_from_spec,
)
from estim.fields.solve import ChannelField, FieldSolution, Method, solve_fields
from estim.fields.tissues import TISSUES, Tissue

__all__ = [
    "SITE_NAMES",
    "TISSUES",
    "Boundary",
    "Channel",
    "ChannelField",
    "DBSLead",
    "Electrode",
    "ElectrodeShape",
    "FieldSolution",
    "InterfaceModel",
    "Layer",
    "MeshSettings",
    "Method",
    "Placement",
    "ProgramFields",
    "Site",
    "Tissue",
    "cache_dir",
    "cache_key",
    "disc_current_density",
    "disc_field",
    "disc_potential",
    "disc_resistance",
    "envelope_along",
    "envelope_max",
    "fields_for_program",
    "layered_remainder",
    "layered_surface_potential",
    "make_site",
    "modulation_depth",
    "place_electrode",
    "placement",
    "placements",
    "point_source_potential",
    "premodulated_envelope",
    "site_from_spec",
    "solve_fields",
    "two_layer_surface_potential",
]
