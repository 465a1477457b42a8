"""Read models: what staff, citizens and managers see, computed for pages to render without
deciding anything."""
