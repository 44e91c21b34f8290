"""The IT admin's people screens: find a person, change a role, deactivate and reactivate."""
