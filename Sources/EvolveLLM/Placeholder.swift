// EvolveLLM: see Package.swift
