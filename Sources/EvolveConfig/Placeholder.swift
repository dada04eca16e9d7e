// EvolveConfig: see Package.swift
