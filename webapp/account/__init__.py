"""The signed-in person's own account: choosing a new password (at once, when an admin asked for one)."""
