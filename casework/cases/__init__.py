"""What every case type shares: the lifecycle, tasks, letters, links, the case list, search."""
