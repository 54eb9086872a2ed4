"""Great Expectations validation of the warehouse tables (the implementation of ``etl.validate``).

``specs`` turns the contracts in schemas/ into expectation specs (pure, no GX import),
``violations`` computes the cross-table rules' violating rows with DuckDB, ``engine`` runs the GX
suites and turns results into outcomes, ``docs`` renders Great Expectations Data Docs for a run.
"""
