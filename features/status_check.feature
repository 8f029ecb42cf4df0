@step-1
Feature: Status check before reactivation
  The phone decides from the status blob it decrypts whether reactivation may start:
  only a client whose activation is not ACTIVE, or who has none on the phone, may reactivate.

  @RX-01 @positive @smoke
  Scenario Outline: A phone whose activation is no longer active may start reactivation
    Given a bank client whose old activation is <status>
    When the phone checks its activation status
    Then the decrypted status is <status>
    And reactivation is offered

    Examples:
      | status  |
      | BLOCKED |
      | REMOVED |

  @RX-01 @positive
  Scenario: A phone without any activation may start reactivation
    Given a bank client whose phone has no activation
    When the phone checks its activation status
    Then reactivation is offered

  @RX-01 @negative @smoke
  Scenario: A phone whose activation is still active is not offered reactivation
    Given a bank client whose old activation is ACTIVE
    When the phone checks its activation status
    Then the decrypted status is ACTIVE
    And reactivation is not offered

  @RX-01 @negative @slow
  Scenario: The journey of a client whose activation is active stops at the status check
    Given the persona "already-active"
    When the client goes through the reactivation
    Then the reactivation stops at step 1
