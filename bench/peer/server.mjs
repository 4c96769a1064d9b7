// The peer of bench/peer.py: @neo4j/graphql (Neo4j's own GraphQL library) on Apollo Server,
// reading the same database as verbund. Type definitions for the directory part of
// docs/model.md; property names as stored (snake_case), relationships as in the model.
// Usage: node server.mjs <port>   (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD from the environment)
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = /* GraphQL */ `
  type Area @node {
    id: ID!
    name: String!
    level: String
    population: Int
    parent: [Area!]! @relationship(type: "PART_OF", direction: OUT)
    children: [Area!]! @relationship(type: "PART_OF", direction: IN)
    services: [Service!]! @relationship(type: "SERVES", direction: IN)
    locations: [Location!]! @relationship(type: "IN_AREA", direction: IN)
  }
  type Category @node {
    id: ID!
    name: String!
    broader: [Category!]! @relationship(type: "BROADER", direction: OUT)
    services: [Service!]! @relationship(type: "IN_CATEGORY", direction: IN)
  }
  type Organization @node {
    id: ID!
    name: String!
    sector: String
    description: String
    website: String
    email: String
    phone: String
    services: [Service!]! @relationship(type: "PROVIDES", direction: OUT)
    locations: [Location!]! @relationship(type: "HAS_LOCATION", direction: OUT)
    agreements: [Agreement!]! @relationship(type: "PARTY_TO", direction: OUT)
    networks: [Network!]! @relationship(type: "MEMBER_OF", direction: OUT)
  }
  type Service @node {
    id: ID!
    name: String!
    description: String
    status: String
    languages: [String!]
    target_groups: [String!]
    legal_basis: String
    capacity: Int
    capacity_used: Int
    organization: [Organization!]! @relationship(type: "PROVIDES", direction: IN)
    categories: [Category!]! @relationship(type: "IN_CATEGORY", direction: OUT)
    areas: [Area!]! @relationship(type: "SERVES", direction: OUT)
    locations: [Location!]! @relationship(type: "AT_LOCATION", direction: OUT)
  }
  type Location @node {
    id: ID!
    name: String!
    street: String
    postal_code: String
    city: String
    latitude: Float
    longitude: Float
    areas: [Area!]! @relationship(type: "IN_AREA", direction: OUT)
  }
  type Agreement @node {
    id: ID!
    title: String!
    kind: String
    priority_access: Boolean
    parties: [Organization!]! @relationship(type: "PARTY_TO", direction: IN)
    categories: [Category!]! @relationship(type: "COVERS", direction: OUT)
  }
  type Network @node {
    id: ID!
    name: String!
    kind: String
    members: [Organization!]! @relationship(type: "MEMBER_OF", direction: IN)
  }
`;

const driver = neo4j.driver(
  process.env.NEO4J_URI,
  neo4j.auth.basic(process.env.NEO4J_USER ?? "neo4j", process.env.NEO4J_PASSWORD),
);
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const port = Number(process.argv[2] ?? 4000);
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.log(`peer ready at ${url}`);
