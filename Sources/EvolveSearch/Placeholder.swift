// EvolveSearch: see Package.swift
