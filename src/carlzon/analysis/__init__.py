"""carlzon.analysis"""
