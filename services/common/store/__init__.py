"""The store layer: the only code on the platform that talks to the MongoDB driver.

Services' own `store/` packages build their repositories on `MongoStore`; domain and API code
sees repositories and `Tx`, never a driver object.
"""

from services.common.store.mongo import AmongIds, ById, CollectionIndexes, MongoStore, Tx

__all__ = ["AmongIds", "ById", "CollectionIndexes", "MongoStore", "Tx"]
