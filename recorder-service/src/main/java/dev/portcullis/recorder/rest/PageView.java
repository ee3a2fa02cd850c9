package dev.portcullis.recorder.rest;

import java.util.List;

/** One page of results. */
public record PageView<T>(List<T> items, int page, int size, long total) {}
