"""estim.report"""
