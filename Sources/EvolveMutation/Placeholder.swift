// EvolveMutation: see Package.swift
