// placeholder until the first redirector source lands
