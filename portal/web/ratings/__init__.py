"""好差评: rating finished cases, and the supervisors' follow-ups of bad ratings."""
