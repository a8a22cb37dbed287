"""The skin–electrode interface: one table of its typical values per unit area, used by the
field solution (the interface as a Robin term, :class:`estim.fields.electrodes.
InterfaceModel`) and by the output analysis into a skin load
(:class:`estim.safety.loads.SkinElectrodeLoad`), so both face the same skin.
"""

from __future__ import annotations

from estim.tables import TableEntry, table_value

__all__ = ["SKIN_INTERFACE_TABLE", "TYPICAL_SERIES_RESISTANCE", "dc_skin_load_ohm",
           "skin_interface_value"]

_ROSELL = ("Rosell J, Colominas J, Riu P, Pallas-Areny R, Webster JG (1988) Skin impedance from "
           "1 Hz to 1 MHz. IEEE Trans Biomed Eng 35:649-651")
_VAN_BOXTEL = ("van Boxtel A (1977) Skin resistance during square-wave electrical pulses of 1 "
               "to 10 mA. Med Biol Eng Comput 15:679-687; Keller T, Kuhn A (2008) Electrodes "
               "for transcutaneous (surface) electrical stimulation. J Autom Control 18:35-45")

#: Hydrogel or gelled electrodes on intact skin, per unit electrode area (SI).
SKIN_INTERFACE_TABLE: tuple[TableEntry, ...] = (
    TableEntry("series_resistance_ohm_m2", 1e3 * 1e-4, "ohm*m**2", _VAN_BOXTEL,
               published="1 kohm*cm**2", note="gel and bulk resistance under the pad"),
    TableEntry("parallel_resistance_ohm_m2", 20e3 * 1e-4, "ohm*m**2",
               f"{_VAN_BOXTEL}; {_ROSELL}", published="20 kohm*cm**2",
               note="stratum corneum resistance; about 10-100 kohm*cm2 under gelled "
                    "electrodes, up to 1 Mohm*cm2 on dry skin at 1 Hz (Rosell 1988); falls "
                    "with hydration and current"),
    TableEntry("capacitance_f_per_m2", 0.05e-6 / 1e-4, "F/m**2", f"{_VAN_BOXTEL}; {_ROSELL}",
               published="0.05 uF/cm**2",
               note="stratum corneum capacitance, about 0.02-0.05 uF/cm2; with 20 kohm*cm2 "
                    "a 1 ms time constant"),
)


def skin_interface_value(name: str) -> float:
    """The SI value of a row of :data:`SKIN_INTERFACE_TABLE`."""
    return table_value(SKIN_INTERFACE_TABLE, name)


#: The deep tissue and gel in series with two pads' skin, in the typical skin–electrode
#: load of the output table (:class:`estim.safety.loads.SkinElectrodeLoad`) and of a d.c.
#: dose (:func:`dc_skin_load_ohm`).
TYPICAL_SERIES_RESISTANCE = TableEntry(
    "series_resistance_ohm", 300.0, "ohm",
    "IEC 60479-1:2018 (body internal impedance, of the order of 500 ohm hand to hand; "
    "less for short paths between nearby electrodes)",
    note="deep tissue between the electrodes plus gel; a few hundred ohms, an assumption")


def dc_skin_load_ohm(anode_area_m2: float, cathode_area_m2: float) -> float:
    """The typical skin–electrode load's resistance to a steady current (Ω), its
    capacitance charged (a d.c. of minutes, as iontophoresis is): the series resistance
    and the stratum corneum under each pad, the load the output table's skin rows are
    figured on (``check`` and ``run`` read one number; review of 5 December 2026).

    >>> round(dc_skin_load_ohm(24e-4, 10e-4))  # 300 Ω + 20 kΩ·cm² / 24 cm² + / 10 cm²
    3133
    """
    rp = skin_interface_value("parallel_resistance_ohm_m2")
    return TYPICAL_SERIES_RESISTANCE.value + rp / anode_area_m2 + rp / cathode_area_m2
