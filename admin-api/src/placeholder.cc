// placeholder until the first admin-api source lands
