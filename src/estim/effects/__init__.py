"""estim.effects"""
