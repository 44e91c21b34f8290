"""Stories: 24-hour image and text stories, company stories pinned by comms."""
