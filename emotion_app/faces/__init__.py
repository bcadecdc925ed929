"""Face finding and following: detector, tracker, template follower, scene gate, box geometry."""
