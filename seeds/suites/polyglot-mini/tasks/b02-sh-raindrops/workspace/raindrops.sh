#!/usr/bin/env bash
# TODO
