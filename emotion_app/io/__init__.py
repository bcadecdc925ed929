"""What goes in and comes out: video and image input, annotated video, CSV, drawing results."""
