"""The core: settings, database models, domain services, outbound messaging, rendering."""
