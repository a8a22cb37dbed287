"""estim.cli"""
