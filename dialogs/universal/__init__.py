"""Universal Actions: the ``adaptiveCard/action`` invokes of the channel cards' Action.Execute buttons."""
