"""The kiosk's screens, in visiting order; each module loads its own kv file."""

from kiosk.screens.attract import AttractScreen
from kiosk.screens.rating import RatingScreen
from kiosk.screens.staff import StaffScreen
from kiosk.screens.story import StoryScreen
from kiosk.screens.thanks import ThanksScreen
from kiosk.screens.themes import ThemesScreen

__all__ = ["SCREENS", "SCREEN_NAMES"]

SCREENS = (AttractScreen, RatingScreen, ThemesScreen, StoryScreen, ThanksScreen, StaffScreen)
SCREEN_NAMES = ("attract", "rating", "themes", "story", "thanks", "staff")
