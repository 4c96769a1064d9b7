"""The remaining directory hops: categories, locations, agreements and networks."""

from __future__ import annotations

from graph.repo.nodes import Hop

# Leistungsbereiche
NARROWER = Hop("(x:Category {id: xid})<-[:BROADER]-(n:Category)", "Category")
SERVICE_CATEGORIES = Hop("(x:Service {id: xid})-[:IN_CATEGORY]->(n:Category)", "Category")
AGREEMENT_CATEGORIES = Hop("(x:Agreement {id: xid})-[:COVERS]->(n:Category)", "Category")

# Sozialräume seen from services and networks
SERVICE_AREAS = Hop("(x:Service {id: xid})-[:SERVES]->(n:Area)", "Area")
NETWORK_AREAS = Hop("(x:Network {id: xid})-[:ACTIVE_IN]->(n:Area)", "Area")

# Standorte
SERVICE_LOCATIONS = Hop("(x:Service {id: xid})-[:AT_LOCATION]->(n:Location)", "Location")

# Kooperationsvereinbarungen
AGREEMENT_PARTIES = Hop("(x:Agreement {id: xid})<-[:PARTY_TO]-(n:Organization)", "Organization")
