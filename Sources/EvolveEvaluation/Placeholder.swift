// EvolveEvaluation: see Package.swift
