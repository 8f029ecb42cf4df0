"""The Wultra mock: PowerAuth Server REST API (``/powerauth-java-server/rest/v3/``).

Built on :mod:`mocks.framework` in moto style: :mod:`.models` holds the state machines (records are
JSON-able dicts in the framework's store), :mod:`.responses` the thin handlers, :mod:`.urls` the
routes, :mod:`.exceptions` the typed ``ERR00xx`` errors, :mod:`.schemas` the request models and
:mod:`.app` the application factory.  The Enrollment and Onboarding Servers join this app later under
their own context paths.
"""
