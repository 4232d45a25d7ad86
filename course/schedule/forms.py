"""Forms for courses and their agenda."""
