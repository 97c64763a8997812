#!/bin/bash
echo second
