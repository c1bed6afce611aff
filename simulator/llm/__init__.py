"""The person's own local language model, when they point this program at one.

An OpenAI-compatible chat server on their machine (Ollama, llama.cpp's llama-server, LM Studio,
vLLM). `endpoint` checks the address (loopback only unless the person allows another, refused
before any socket opens) and asks for JSON that follows a schema, within a time budget;
`schema` validates what comes back; `grounding` checks that words said to be quoted from an
answer were said. Knows nothing of interviews: what to ask is `simulator.interview.model`.
"""
