"""Recruiting: partners in the pipeline, stage moves, outreach, and the public application form."""
