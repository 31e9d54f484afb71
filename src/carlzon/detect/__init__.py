"""carlzon.detect"""
