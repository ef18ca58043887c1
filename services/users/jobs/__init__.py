"""Jobs the service runs on a daily schedule, claimed once across replicas."""
