"""The city's monthly brief (月通报): one report folder from dispatch, projection and budget results."""
