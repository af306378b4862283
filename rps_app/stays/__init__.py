"""Intake, stays, bed placement, transfers, case notes, services and exits."""
