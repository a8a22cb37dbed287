"""The skin–electrode interface: one table of its typical values per unit area, used by the
field solution (the interface as a Robin term, :class:`estim.fields.electrodes.
InterfaceModel`) and by the output analysis into a skin load
(:class:`estim.safety.loads.SkinElectrodeLoad`), so both face the same skin.
"""

from __future__ import annotations

from estim.tables import TableEntry, table_value

__all__ = ["SKIN_INTERFACE_TABLE", "dc_interface_ohm", "skin_interface_value"]

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


def dc_interface_ohm(*areas_m2: float) -> float:
    """The typical skin–electrode interface's resistance to a steady current (Ω) under pads
    of these areas in series: gel and bulk plus the stratum corneum, each per area, with
    the capacitance charged (a d.c. of minutes, as iontophoresis is).

    >>> round(dc_interface_ohm(24e-4, 10e-4))  # 21 kΩ·cm² over 24 cm² and over 10 cm²
    2975
    """
    per_area = (skin_interface_value("series_resistance_ohm_m2")
                + skin_interface_value("parallel_resistance_ohm_m2"))
    return sum(per_area / a for a in areas_m2)
