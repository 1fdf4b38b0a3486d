"""The privacy promises kept in code: a member's export of everything held about them."""
