"""Figures for the office: the staff dashboard, monthly reports and the audit trail."""
