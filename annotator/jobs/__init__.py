"""Jobs: long work (training, prediction) as a row a request enqueues and a worker on any host claims,
reporting progress and a heartbeat there; a job whose worker died is taken over once, then failed."""
