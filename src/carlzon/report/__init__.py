"""carlzon.report"""
