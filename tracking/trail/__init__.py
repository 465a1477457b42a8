"""The audit trail (a hash chain per application) and the compliance tallies it feeds."""
