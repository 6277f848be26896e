"""The printed slip, as library loan machines give: what it says, as a picture and on paper.

:mod:`kiosk.slip.model` builds a :class:`Slip` from the visit (date, each chosen theme with its
velho and next step, the QR code's link, the short address and code, one line on privacy) and
turns it into a list of blocks; :mod:`kiosk.slip.image` draws those blocks with Pillow (the PNG
of ``kiosk screenshots``) and :mod:`kiosk.slip.printer` sends the same blocks to a receipt
printer through python-escpos, off the UI thread. None of them imports Kivy.
"""

from kiosk.slip.model import Slip, SlipBlock, SlipTheme, build_slip, demo_slip, slip_blocks

__all__ = ["Slip", "SlipBlock", "SlipTheme", "build_slip", "demo_slip", "slip_blocks"]
