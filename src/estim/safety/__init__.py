"""estim.safety"""
