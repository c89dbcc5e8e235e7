"""``ember.nn.init`` (being written: the layers work fills this in)."""
