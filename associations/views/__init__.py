"""Pages of the associations app: areas and associations, member households, roster imports."""
