"""carlzon.web"""
