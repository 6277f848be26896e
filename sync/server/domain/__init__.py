"""Pure functions behind the staff dashboard and the public follow-up page.

Nothing here touches the database or HTTP: callers pass plain rows (mappings) and get back text,
bytes or plain data. That keeps charts, exports, moderation, calendars and warnings testable
without a server.
"""
