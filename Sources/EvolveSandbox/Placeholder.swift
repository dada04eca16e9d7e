// EvolveSandbox: see Package.swift
